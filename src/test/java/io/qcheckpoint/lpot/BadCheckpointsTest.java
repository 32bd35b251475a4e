package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.Main;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every damaged checkpoint directory of the corpus (src/test/python/generate_bad_checkpoints.py,
 * plus symbolic links and files too large to commit, made here) ends in the project's exception
 * naming the file: in-process, and through the command line in a subprocess with a 512 MB heap,
 * as exit code 2 and one line, within a time limit per case.
 */
class BadCheckpointsTest {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String PASSWD_START = "root:";

    @TempDir
    static Path tmp;

    /** The cases made at run time; filled once, before the tests, then only read. */
    private static final List<BadCheckpoint> MADE = new ArrayList<>();

    /** Makes the cases that cannot be committed: symbolic links and large hostile YAML. */
    @BeforeAll
    static void makeRuntimeCases() throws IOException {
        Path lpot = CheckpointsMatchLpotTest.FIXTURES.resolve("lpot15_static");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.copy(lpot.resolve("best_model_weights.pt"), outside.resolve("weights.pt"));
        Files.copy(lpot.resolve("best_configure.yaml"), outside.resolve("config.yaml"));
        Files.copy(BadCheckpoint.IPEX.resolve("best_configure.json"), outside.resolve("config.json"));
        Path passwd = Files.exists(Path.of("/etc/passwd")) ? Path.of("/etc/passwd") : outside.resolve("config.yaml");
        MADE.add(lpotWith("symlink-yaml-to-etc-passwd", "unsafe", "best_configure.yaml", lpot, passwd));
        MADE.add(lpotWith("symlink-yaml-outside", "unsafe", "best_configure.yaml", lpot, outside.resolve("config.yaml")));
        MADE.add(lpotWith("symlink-weights-outside", "unsafe", "best_model_weights.pt", lpot, outside.resolve("weights.pt")));
        Path relative = lpotWith("symlink-weights-dotdot", "unsafe", "best_model_weights.pt", lpot, null).dir();
        Files.delete(relative.resolve("best_model_weights.pt"));
        Files.createSymbolicLink(relative.resolve("best_model_weights.pt"), Path.of("../outside/weights.pt"));
        MADE.add(new BadCheckpoint("symlink-weights-dotdot", "lpot15_static", "unsafe", "best_model_weights.pt", "load", relative));
        Path single = Files.createDirectory(tmp.resolve("symlink-best-model-outside"));
        Files.createSymbolicLink(single.resolve("best_model.pt"), outside.resolve("weights.pt"));
        MADE.add(new BadCheckpoint("symlink-best-model-outside", "lpot15_static", "unsafe", "best_model.pt", "load", single));
        Path ipex = Files.createDirectory(tmp.resolve("symlink-json-outside"));
        Files.createSymbolicLink(ipex.resolve("best_configure.json"), outside.resolve("config.json"));
        MADE.add(new BadCheckpoint("symlink-json-outside", "ipex", "unsafe", "best_configure.json", "load", ipex));
        String yaml = Files.readString(lpot.resolve("best_configure.yaml"));
        MADE.add(lpotYaml("yaml-int-1m-digits", lpot, yaml.replace("calib_iteration: 100", "calib_iteration: " + "9".repeat(1_000_000))));
        MADE.add(lpotYaml("yaml-plain-scalar-2mb", lpot, yaml.replace("framework: pytorch", "framework: " + "a".repeat(2 << 20))));
        MADE.add(lpotYaml("yaml-plain-scalar-15mb", lpot, yaml.replace("framework: pytorch", "framework: " + "a".repeat(15 << 20))));
    }

    private static BadCheckpoint lpotWith(String name, String outcome, String file, Path lpot, Path linkTarget) throws IOException {
        Path d = Files.createDirectory(tmp.resolve(name));
        for (String f : List.of("best_configure.yaml", "best_model_weights.pt")) {
            if (f.equals(file) && linkTarget != null) {
                Files.createSymbolicLink(d.resolve(f), linkTarget);
            } else {
                Files.copy(lpot.resolve(f), d.resolve(f));
            }
        }
        return new BadCheckpoint(name, "lpot15_static", outcome, file, "load", d);
    }

    private static BadCheckpoint lpotYaml(String name, Path lpot, String yaml) throws IOException {
        BadCheckpoint c = lpotWith(name, "format", "best_configure.yaml", lpot, null);
        Files.writeString(c.dir().resolve("best_configure.yaml"), yaml, StandardCharsets.UTF_8);
        return c;
    }

    static Stream<BadCheckpoint> cases() throws IOException {
        return Stream.concat(BadCheckpoint.committed().stream(), MADE.stream());
    }

    @Test
    void theCorpusCoversEachClass() throws IOException {
        List<BadCheckpoint> all = cases().toList();
        assertTrue(all.size() >= 40, "cases: " + all.size());
        for (String prefix : List.of("yaml-", "symlink-", "weights-", "ipex-", "run-")) {
            assertTrue(all.stream().anyMatch(c -> c.name().startsWith(prefix)), prefix);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void inProcessTheProjectsExceptionNamesTheFile(BadCheckpoint c) throws Exception {
        if (c.command().equals("run")) {
            // a damaged input is the command line's to name; the library's forward names the module
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = assertTimeoutPreemptively(LIMIT, () -> Main.run(new PrintWriter(out), new PrintWriter(err),
                    c.runArgs(tmp.resolve(c.name() + ".pt")).toArray(String[]::new)));
            assertEquals(Main.EXIT_BAD_INPUT, exit, err::toString);
            assertOneShortLine(err.toString().strip(), c);
            return;
        }
        Exception e = assertTimeoutPreemptively(LIMIT, () -> assertThrows(c.exception(), () -> load(c)));
        assertOneShortLine(e.getMessage(), c);
    }

    /** Loads the case onto the fixture's float model (for IPEX, with the fixture's input as the example). */
    private static void load(BadCheckpoint c) throws Exception {
        boolean ipex = c.base().equals("ipex");
        try (Module fp32 = ipex ? ipexFloatModel() : CheckpointsMatchLpotTest.fp32Model(c.base());
                NDManager m = NDManager.newBaseManager()) {
            NDArray x = TensorArrays.toNDArray(m, (Tensor) TorchFiles.read(c.input()).root());
            LoadOptions options = ipex ? LoadOptions.defaults().withExampleInput(x) : LoadOptions.defaults();
            Checkpoints.load(c.dir(), fp32, options).close();
        }
    }

    @Test
    void aFloat64InputIsAForwardExceptionNamingTheModule() throws Exception {
        BadCheckpoint c = BadCheckpoint.committed().stream().filter(b -> b.name().equals("run-input-float64")).findFirst().orElseThrow();
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(c.base()); NDManager m = NDManager.newBaseManager();
                QuantizedModel<?> q = Checkpoints.load(c.dir(), fp32)) {
            NDArray x = TensorArrays.toNDArray(m, (Tensor) TorchFiles.read(c.input()).root());
            ForwardException e = assertThrows(ForwardException.class, () -> q.forward(x));
            assertTrue(e.getMessage().startsWith("quant (quantized.Quantize): expected input"), e.getMessage());
        }
    }

    private static Module ipexFloatModel() throws IOException {
        Module model = new LpotModels.IpexNet().eval();
        model.loadStateDict(TorchFiles.readStateDict(BadCheckpoint.IPEX.resolve("fp32_sd.pt")), true);
        return model;
    }

    private static void assertOneShortLine(String message, BadCheckpoint c) {
        assertTrue(message.contains(c.file()), () -> "names " + c.file() + ": " + message);
        assertEquals(1, message.lines().count(), message);
        assertTrue(message.length() < 1000, () -> message.length() + " characters: " + message);
        assertFalse(message.contains(PASSWD_START) && c.name().contains("passwd"), message);
    }

    /**
     * All cases through {@code qcheckpoint run} (and {@code inspect} for config damage) in one
     * subprocess with {@code -Xmx512m}: exit code 2 and one {@code qcheckpoint: } line naming the file.
     */
    @Test
    void theCommandLineExitsTwoWithOneLineInASmallHeap() throws Exception {
        Map<String, BadCheckpoint> commands = new HashMap<>();
        List<String> args = new ArrayList<>(List.of(String.valueOf(LIMIT.toSeconds())));
        for (BadCheckpoint c : cases().toList()) {
            List<List<String>> lines = new ArrayList<>(List.of(c.runArgs(tmp.resolve(c.name() + "-out.pt"))));
            // inspect reads the tune config; an IPEX list it only lists, odd values and all
            if (!c.command().equals("run") && c.file().endsWith(".yaml")) {
                lines.add(List.of("inspect", c.dir().toString()));
            }
            for (int i = 0; i < lines.size(); i++) {
                Path f = tmp.resolve(c.name() + "." + lines.get(i).get(0) + ".args");
                Files.write(f, lines.get(i));
                args.add(f.toString());
                commands.put(f.getFileName().toString(), c);
            }
        }
        List<String> output = subprocess(BadCheckpointsCli.class.getName(), args, Duration.ofSeconds(170));
        assertEquals(commands.size(), output.size(), () -> String.join("\n", output));
        for (String line : output) {
            String[] f = line.split("\t", 4);
            BadCheckpoint c = commands.get(f[0]);
            String out = new String(Base64.getDecoder().decode(f[2]), StandardCharsets.UTF_8);
            String err = new String(Base64.getDecoder().decode(f[3]), StandardCharsets.UTF_8);
            assertEquals("2", f[1], () -> f[0] + ": " + err);
            assertEquals("", out, f[0]);
            assertTrue(err.startsWith("qcheckpoint: ") && err.endsWith("\n"), () -> f[0] + ": " + err);
            assertOneShortLine(err.strip(), c);
        }
    }

    /** The real {@code main}, exit code and stderr, for the cases that hurt most before. */
    @Test
    void theRealMainExitsTwo() throws Exception {
        for (BadCheckpoint c : MADE) {
            if (!c.name().matches("symlink-yaml-to-etc-passwd|yaml-int-1m-digits|yaml-plain-scalar-15mb")) {
                continue;
            }
            Path err = tmp.resolve(c.name() + ".err");
            Process p = new ProcessBuilder(javaCommand(Main.class.getName(), List.of("inspect", c.dir().toString())))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS), c.name());
            String text = Files.readString(err);
            assertEquals(2, p.exitValue(), text);
            assertTrue(text.startsWith("qcheckpoint: "), text);
            assertOneShortLine(text.strip(), c);
        }
    }

    private static List<String> subprocess(String mainClass, List<String> args, Duration limit) throws Exception {
        Path out = Files.createTempFile("bad-checkpoints", ".out");
        try {
            Process p = new ProcessBuilder(javaCommand(mainClass, args)).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (!p.waitFor(limit.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
            return Files.readAllLines(out);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** {@code java} as bin/qcheckpoint starts it, with a 512 MB heap and this test's class path. */
    private static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.log.ai.djl=error",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=error", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(args);
        return cmd;
    }
}
