package io.qcheckpoint.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs real PyTorch ({@code /usr/bin/python3} with Debian's {@code python3-torch}) as a test oracle.
 *
 * <p>Tests that need it call {@link #require()}: it skips them where torch is missing, except with
 * {@code CI=true}, where a missing torch fails them.
 */
public final class PythonTorch {
    /** The interpreter the project's Python scripts are written for. */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** The project's Python scripts. */
    public static final Path SCRIPTS = Path.of("src/test/python");

    private static final boolean AVAILABLE = probe();

    private PythonTorch() {
    }

    /** Skips the calling test when torch is missing, or fails it when {@code CI=true}. */
    public static void require() {
        if (AVAILABLE) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(PYTHON + " cannot import torch; CI must run the torch tests (apt-get install -y python3-torch)");
        }
        Assumptions.assumeTrue(false, PYTHON + " has no torch; install python3-torch to run this test");
    }

    /**
     * Runs a script from {@link #SCRIPTS} and returns its standard output.
     *
     * @param script the script's file name
     * @param args its arguments
     * @return what it printed
     * @throws AssertionError if it does not exit 0 within two minutes (its stderr is in the message)
     */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        Result r = runAllowingFailure(script, args);
        if (r.exitCode() != 0) {
            fail(script + " exited " + r.exitCode() + ":\n" + r.stderr() + "\n" + r.stdout());
        }
        return r.stdout();
    }

    /** What a script printed, and how it exited. */
    public record Result(int exitCode, String stdout, String stderr) {
    }

    /**
     * Runs a script from {@link #SCRIPTS}, whatever its exit code.
     *
     * @param script the script's file name
     * @param args its arguments
     * @return its exit code and output
     */
    public static Result runAllowingFailure(String script, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(SCRIPTS.resolve(script).toString()));
        cmd.addAll(List.of(args));
        return runPython(cmd);
    }

    /**
     * Runs {@code /usr/bin/python3} with the given arguments (a script and its arguments, or
     * {@code -c CODE ...}), whatever its exit code, with a two-minute limit.
     *
     * @param args the interpreter's arguments
     * @return its exit code and output
     */
    public static Result runPython(List<String> args) throws IOException, InterruptedException {
        require();
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString()));
        cmd.addAll(args);
        String script = args.isEmpty() ? "python" : args.get(0);
        Path out = Files.createTempFile("torch-out", ".txt");
        Path err = Files.createTempFile("torch-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(script + " did not finish in two minutes");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean probe() {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import torch").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
