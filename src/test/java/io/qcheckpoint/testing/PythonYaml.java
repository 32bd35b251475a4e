package io.qcheckpoint.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs {@code /usr/bin/python3} with PyYAML (Debian's {@code python3-yaml}, which
 * {@code python3-torch} depends on) as a test oracle for the config layer, which needs no torch.
 *
 * <p>Like {@link PythonTorch#require()}: tests skip where PyYAML is missing, except with
 * {@code CI=true}, where they fail.
 */
public final class PythonYaml {
    private static final boolean AVAILABLE = probe();

    private PythonYaml() {
    }

    /** Skips the calling test when PyYAML is missing, or fails it when {@code CI=true}. */
    public static void require() {
        if (AVAILABLE) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            fail(PythonTorch.PYTHON + " cannot import yaml; CI must run the config oracle tests (apt-get install -y python3-yaml)");
        }
        Assumptions.assumeTrue(false, PythonTorch.PYTHON + " has no PyYAML; install python3-yaml to run this test");
    }

    /**
     * Runs a script from {@link PythonTorch#SCRIPTS} and returns its standard output.
     *
     * @param script the script's file name
     * @param args its arguments
     * @return what it printed
     * @throws AssertionError if it does not exit 0 within two minutes (its stderr is in the message)
     */
    public static String run(String script, String... args) throws IOException, InterruptedException {
        require();
        List<String> cmd = new ArrayList<>(List.of(PythonTorch.PYTHON.toString(), PythonTorch.SCRIPTS.resolve(script).toString()));
        cmd.addAll(List.of(args));
        var out = Files.createTempFile("yaml-out", ".txt");
        var err = Files.createTempFile("yaml-err", ".txt");
        try {
            Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(script + " did not finish in two minutes");
            }
            if (p.exitValue() != 0) {
                fail(script + " exited " + p.exitValue() + ":\n" + Files.readString(err));
            }
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean probe() {
        if (!Files.isExecutable(PythonTorch.PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PythonTorch.PYTHON.toString(), "-c", "import yaml").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
