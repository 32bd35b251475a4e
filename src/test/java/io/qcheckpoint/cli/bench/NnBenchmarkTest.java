package io.qcheckpoint.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.cli.Main;
import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TorchThreads;
import io.qcheckpoint.testing.PythonTorch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench nn} (and {@code bench serve}, nested) end to end on the models real torch writes (the MLP,
 * the CNN and torchvision's ResNet-18 with its LPOT checkpoint), with the fewest rounds and
 * calls, and checks what it printed, never how fast anything was: speed is only ever printed by
 * {@code qcheckpoint bench}, never asserted.
 */
class NnBenchmarkTest {
    @TempDir
    static Path models;

    @BeforeAll
    static void generateModels() throws Exception {
        PythonTorch.require();
        PythonTorch.run("nn_models.py", "bench-models", models.toString());
        PythonTorch.run("resnet_bench.py", "models", models.toString(), "resnet18");
    }

    @Test
    void printsChecksTableAndVerdictsForEveryModel() {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "nn",
                "--models", models.toString(), "--rounds", "1", "--calls", "1");
        String text = out.toString();

        assertEquals(0, code, text);
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).matches("bench nn: .*, \\d+ CPUs, libtorch .*, intra-op threads \\d+, .*"), lines.get(0));
        for (String net : List.of("mlp", "cnn")) {
            for (String variant : List.of(NnVariants.JAVA_INT8, NnVariants.TORCHSCRIPT)) {
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS " + net + ": " + variant
                        + " output within one step of torch's int8 output")), () -> net + " " + variant + "\n" + text);
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("info " + net + ": java fp32 output")), text);
            assertTrue(lines.stream().anyMatch(l -> l.matches(net + " +\\[[0-9,]+\\] +1 .*")), () -> "table row\n" + text);
            assertEquals(2, lines.stream().filter(l -> l.matches("(PASS|MISS) " + net + ": .*\\(target .*\\)")).count(),
                    text);
        }
        assertTrue(text.contains("java fp32 ms") && text.contains("java int8 ms") && text.contains("torchscript int8 ms"),
                text);
        assertTrue(text.contains("fp32/int8") && text.contains("java/torchscript"), text);
        assertResNet18(lines, text);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("FAIL")), text);
    }

    @Test
    void resNet18Only() {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "nn",
                "--models", models.toString(), "--model", "resnet18", "--rounds", "1", "--calls", "1");
        String text = out.toString();
        assertEquals(0, code, text);
        List<String> lines = text.lines().toList();
        assertResNet18(lines, text);
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("mlp") || l.contains(" cnn")), text);
    }

    /**
     * The checkpoint on the hand-written tree against torch's int8 model run as TorchScript by the same libtorch,
     * the imported model against the hand-written tree, and the two ratios' verdicts.
     */
    private static void assertResNet18(List<String> lines, String text) {
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS resnet18: " + ImportedVariants.HAND_WRITTEN
                + " output within one step of the " + NnVariants.TORCHSCRIPT + " output")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS resnet18: " + ImportedVariants.IMPORTED
                + " output within one step of the " + ImportedVariants.HAND_WRITTEN + " output")), text);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("info resnet18: " + ImportedVariants.HAND_WRITTEN
                + " output vs torch 1.13's int8 output")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("model +input +calls +hand-written int8 ms +imported int8 ms"
                + " +torchscript int8 ms +imported/hand +hand/torchscript")), () -> "header\n" + text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet18 +\\[1,3,224,224\\] +1 .*")), () -> "table row\n" + text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("(PASS|MISS) resnet18: int8 forward on the model imported from"
                + " its TorchScript file takes [0-9.]+x the hand-written Module tree's time \\(target <= 1\\.10x\\)")), text);
        assertEquals(2, lines.stream().filter(l -> l.matches("(PASS|MISS) resnet18: .*\\(target .*\\)")).count(), text);
    }

    @Test
    void oneModelOnly() {
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "nn",
                "--models", models.toString(), "--model", "mlp", "--rounds", "1", "--calls", "1");
        assertEquals(0, code, out.toString());
        assertTrue(out.toString().lines().noneMatch(l -> l.contains("cnn")), out.toString());
    }

    @Test
    void roundsCycleThroughEveryOrder() {
        List<int[]> orders = NnBenchmark.orders(3);
        assertEquals(6, orders.size());
        Set<String> distinct = orders.stream().map(Arrays::toString).collect(Collectors.toSet());
        assertEquals(6, distinct.size());
        // every variant follows every other one equally often within a round
        int[][] follows = new int[3][3];
        for (int[] o : orders) {
            for (int i = 1; i < o.length; i++) {
                follows[o[i - 1]][o[i]]++;
            }
        }
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                assertEquals(a == b ? 0 : 2, follows[a][b], a + " then " + b);
            }
        }
    }

    @Test
    void badOptionsExitWithTwo() {
        assertEquals(2, execute("--models", models.toString(), "--rounds", "0"));
        assertEquals(2, execute("--models", models.toString(), "--calls", "0"));
        assertEquals(2, execute("--models", models.toString(), "--model", "resnet"));
        assertEquals(2, execute("--models", models.toString(), "--model", "resnet50"));
    }

    @Test
    void underQnnpackTheInt8OutputsStillMatchTorchsAndTheEngineIsRestored() {
        QuantizedEngine before = QuantizedEngines.get();
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "nn",
                "--models", models.toString(), "--model", "mlp", "--rounds", "1", "--calls", "1", "--engine", "qnnpack");
        String text = out.toString();
        assertEquals(0, code, text);
        assertTrue(text.lines().findFirst().orElseThrow().contains(", int8 engine qnnpack, "), text);
        assertTrue(text.lines().anyMatch(l -> l.startsWith("PASS mlp: " + NnVariants.JAVA_INT8)), text);
        assertEquals(before, QuantizedEngines.get());
        assertEquals(2, execute("--models", models.toString(), "--engine", "mkldnn"));
    }

    @Test
    void runsUnderTheIntraOpThreadsAskedForAndRestoresThem() {
        int before = TorchThreads.intraOp();
        int requested = before == 1 ? 2 : 1;
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "nn",
                "--models", models.toString(), "--model", "mlp", "--rounds", "1", "--calls", "1",
                "--intra-op-threads", Integer.toString(requested));
        String text = out.toString();
        assertEquals(0, code, text);
        assertTrue(text.lines().findFirst().orElseThrow().contains(", intra-op threads " + requested + ", "), text);
        assertEquals(before, TorchThreads.intraOp());
        assertEquals(2, execute("--models", models.toString(), "--intra-op-threads", "0"));
        assertEquals(2, execute("--models", models.toString(), "--intra-op-threads", "1025"));
        assertEquals(before, TorchThreads.intraOp());
    }

    @Test
    void missingModelFilesAreBadInput() {
        assertEquals(2, execute("--models", models.resolve("nowhere").toString(), "--rounds", "1", "--calls", "1"));
    }

    @Test
    void missingResNet18FilesNameTheirGenerator(@TempDir Path onlyNn) throws Exception {
        // the MLP's and CNN's files without the ResNet-18 folder: a usage error that says how to write it
        for (String f : List.of("bench_mlp", "bench_cnn")) {
            try (Stream<Path> files = Files.list(models)) {
                for (Path p : files.filter(p -> p.getFileName().toString().startsWith(f)).toList()) {
                    Files.copy(p, onlyNn.resolve(p.getFileName()));
                }
            }
        }
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), "bench", "nn",
                "--models", onlyNn.toString(), "--rounds", "1", "--calls", "1");
        assertEquals(2, code, err.toString());
        assertTrue(err.toString().contains("resnet_bench.py models " + onlyNn + " resnet18"), err.toString());
    }

    /** {@code bench serve} with tiny settings on the same models: the table's structure, never its timings. */
    @Nested
    class Serve {
        @Test
        void printsOneRowPerThreadCountAndRestoresTheSettings() {
            QuantizedEngine engine = QuantizedEngines.get();
            int intra = TorchThreads.intraOp();
            int requestedIntra = intra == 1 ? 2 : 1;
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(new PrintWriter(out), new PrintWriter(err), "bench", "serve", "--models", models.toString(),
                    "--model", "mlp", "--threads", "1,2", "--requests", "3", "--warmup", "1",
                    "--intra-op-threads", Integer.toString(requestedIntra), "--engine", "qnnpack");
            String text = out.toString();
            assertEquals(0, code, text + err);
            List<String> lines = text.lines().toList();
            assertTrue(lines.get(0).matches("bench serve: mlp int8, \\d+ CPUs, int8 engine qnnpack, intra-op threads "
                    + requestedIntra + ", inter-op threads \\d+, 3 timed requests per thread"), lines.get(0));
            assertTrue(lines.get(2).matches("threads +req/s +p50 ms +p99 ms +req/s ratio +p50 ratio"), lines.get(2));
            assertTrue(lines.get(3).matches("1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +1\\.00 +1\\.00"), lines.get(3));
            assertTrue(lines.get(4).matches("2 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+"), lines.get(4));
            assertEquals(5, lines.size(), text);
            assertEquals(engine, QuantizedEngines.get(), "the engine is restored");
            assertEquals(intra, TorchThreads.intraOp(), "the intra-op threads are restored");
        }

        @Test
        void badOptionsAreUsageErrors() {
            for (String[] bad : List.of(new String[] {"--threads", "0"}, new String[] {"--requests", "0"},
                    new String[] {"--intra-op-threads", "0"}, new String[] {"--inter-op-threads", "-1"},
                    new String[] {"--engine", "mkldnn"}, new String[] {"--engine", "none"}, new String[] {"--model", "resnet"})) {
                String[] args = new String[bad.length + 4];
                args[0] = "bench";
                args[1] = "serve";
                args[2] = "--models";
                args[3] = models.toString();
                System.arraycopy(bad, 0, args, 4, bad.length);
                StringWriter err = new StringWriter();
                assertEquals(2, Main.run(new PrintWriter(new StringWriter()), new PrintWriter(err), args), String.join(" ", bad));
                assertTrue(err.toString().contains(bad[0]), err.toString());
            }
        }
    }

    private static int execute(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "bench";
        all[1] = "nn";
        System.arraycopy(args, 0, all, 2, args.length);
        return Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), all);
    }
}
