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
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code bench serve} with tiny settings and checks the table's structure, never its timings. */
class ServeBenchmarkTest {
    @TempDir
    static Path models;

    @BeforeAll
    static void generateModels() throws Exception {
        PythonTorch.require();
        PythonTorch.run("nn_models.py", "bench-models", models.toString());
    }

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
