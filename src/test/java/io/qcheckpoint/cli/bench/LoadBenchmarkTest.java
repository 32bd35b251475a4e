package io.qcheckpoint.cli.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.Main;
import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code bench load} end to end on the ResNet-18 checkpoint real torch writes, with one load and
 * one fresh process per side, and checks what it printed, never how fast anything was: speed is only
 * ever printed by {@code qcheckpoint bench}, never asserted.
 */
class LoadBenchmarkTest {
    @TempDir
    static Path models;

    @BeforeAll
    static void generateModels() throws Exception {
        PythonTorch.require();
        PythonTorch.run("resnet_bench.py", "models", models.toString(), "resnet18");
    }

    @Test
    void printsCheckTableAndVerdicts() {
        QuantizedEngine before = QuantizedEngines.get();
        StringWriter out = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "bench", "load",
                "--models", models.toString(), "--model", "resnet18", "--iterations", "1", "--fresh-runs", "1",
                "--engine", "onednn", "--load-threads", "2");
        String text = out.toString();

        assertEquals(0, code, text);
        List<String> lines = text.lines().toList();
        assertTrue(lines.get(0).matches("bench load: .*, int8 engine onednn, .*"), lines.get(0));
        assertTrue(lines.contains("Java loads pack on 2 thread(s); torch's load packs one weight after the other"), text);
        // the Java ResNet-18 mirrors torchvision's: the checkpoint loads strictly, and its output is no further
        // from torch's (onednn) than torch's own qnnpack output is
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS resnet18: the loaded Java int8 model's output against"
                + " torch 1.13's")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet18 +11\\.\\d +46\\.\\d .*")), () -> "table row\n" + text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet18 +java( +\\d+){4} .*")), () -> "java row\n" + text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet18 +python( +\\d+){4} .*")), () -> "python row\n" + text);
        // torchvision's ResNet-18 has 20 convolutions and one Linear; torch 1.13 packed as many (the benchmark
        // fails when the two sides' counts differ)
        assertTrue(lines.stream().anyMatch(l -> l.matches("resnet18 +21 +[\\d.]+ \\[[\\d.]+\\] +[\\d.]+ \\[[\\d.]+\\]"
                + " +[\\d.]+ +[\\d.]+")), () -> "packing row\n" + text);
        assertEquals(3, lines.stream().filter(l -> l.matches("(PASS|MISS) resnet18: .*\\(target <= .*\\)")).count(), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("(PASS|MISS) resnet18: warm Checkpoints.load takes .*; libtorch's"
                + " packing of the weights alone takes [\\d.]+x\\)")), text);
        assertTrue(lines.stream().anyMatch(l -> l.matches("(PASS|MISS) resnet18: a fresh JVM reaches .*; the JVM is ready,"
                + " libtorch loaded and no model work done, after [\\d.]+x\\)")), text);
        assertTrue(lines.stream().noneMatch(l -> l.contains("resnet50")), text);
        assertEquals(before, QuantizedEngines.get());
    }

    @Test
    void underQnnpackTheJavaResNet18GivesTorchsQnnpackOutputBitForBit() throws Exception {
        Path dir = models.resolve("resnet18");
        QuantizedEngine before = QuantizedEngines.get();
        QuantizedEngines.set(QuantizedEngine.QNNPACK);
        try (Module fp32 = LoadBenchmark.fp32Model(ResNets.RESNET18, dir); NDManager m = NDManager.newBaseManager()) {
            Tensor input = (Tensor) TorchFiles.read(dir.resolve("input.pt")).root();
            float[] expected = ((Tensor) TorchFiles.read(dir.resolve("output_qnnpack.pt")).root()).toFloatArray();
            // packed one by one, and four at a time: either way the weights libtorch runs are torch's
            for (int threads : new int[] {1, 4}) {
                try (QuantizedModel<?> q = Checkpoints.load(dir, fp32, LoadOptions.defaults().withLoadThreads(threads))) {
                    assertArrayEquals(expected, q.forward(TensorArrays.toNDArray(m, input)).toFloatArray(),
                            threads + " load threads");
                }
            }
        } finally {
            QuantizedEngines.set(before);
        }
    }

    @Test
    void badOptionsExitWithTwo() {
        assertEquals(2, execute("--models", models.toString(), "--iterations", "0"));
        assertEquals(2, execute("--models", models.toString(), "--fresh-runs", "0"));
        assertEquals(2, execute("--models", models.toString(), "--intra-op-threads", "0"));
        assertEquals(2, execute("--models", models.toString(), "--intra-op-threads", "1025"));
        assertEquals(2, execute("--models", models.toString(), "--load-threads", "0"));
        assertEquals(2, execute("--models", models.toString(), "--load-threads", "1025"));
        assertEquals(2, execute("--models", models.toString(), "--model", "resnet34"));
        assertEquals(2, execute("--models", models.toString(), "--model", "resnet18", "--engine", "mkldnn"));
        // resnet50 was not generated: its files are missing
        assertEquals(2, execute("--models", models.toString(), "--model", "resnet50"));
    }

    private static int execute(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "bench";
        all[1] = "load";
        System.arraycopy(args, 0, all, 2, args.length);
        return Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), all);
    }
}
