package io.qcheckpoint.nn.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Native memory is freed when models close, and a loaded model serves many threads at once.
 */
class ModelLifecycleTest {
    /** Far below what 1,000 leaked copies of the wide model's weights and activations would take (over 1 GiB). */
    private static final long RSS_GROWTH_BOUND = 160L << 20;

    @Test
    void buildingRunningAndClosingAThousandTimesKeepsRssFlat() throws Exception {
        cycle(50);
        long before = rss();
        cycle(1000);
        long after = rss();
        assertTrue(after - before < RSS_GROWTH_BOUND, "RSS grew by " + ((after - before) >> 20) + " MiB over 1000 cycles");
    }

    @Test
    void aCopyOfAQuantizedModelOutlivesTheOriginal() throws Exception {
        Module copy;
        float[] before;
        try (Module original = QuantizedModelsTest.quantizedModel("cnn")) {
            before = run(original, 3);
            copy = original.copy();
        }
        try (Module c = copy; NDManager m = NDManager.newBaseManager()) {
            assertArrayEquals(before, run(c, 3));
            float[] torch = QuantizedModelsTest.tensor("cnn.q_output.pt").toFloatArray();
            QuantizedModelsTest.assertWithinOneStep(torch, c.forward(QuantizedModelsTest.input(m, "cnn")).toFloatArray(),
                    QuantizedModelsTest.info("cnn").get("output_scale").asDouble(), "copy");
        }
    }

    @Test
    void eightThreadsAgreeWithOneThread() throws Exception {
        try (Module model = QuantizedModelsTest.quantizedModel("cnn"); NDManager m = NDManager.newBaseManager()) {
            int inputs = 8;
            List<float[]> expected = new ArrayList<>();
            for (int i = 0; i < inputs; i++) {
                expected.add(run(model, i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        for (int r = 0; r < 40; r++) {
                            int i = (thread + r) % inputs;
                            assertArrayEquals(expected.get(i), run(model, i), "thread " + thread + " input " + i);
                        }
                        return true;
                    }));
                }
                for (Future<Boolean> f : results) {
                    assertTrue(f.get());
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static float[] run(Module model, int seed) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(2 * 3 * 16 * 16).toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                    .reshape(new Shape(2, 3, 16, 16)).mul(0.01 * (seed + 1)).sin();
            return model.forward(x).toFloatArray();
        }
    }

    /**
     * One cycle: the fixture CNN from its state dicts (its weights packed on the calling thread, or on
     * three threads, in turn), and a wide MLP converted in Java; both run, then closed.
     */
    private static void cycle(int times) throws Exception {
        for (int i = 0; i < times; i++) {
            try (Module cnn = QuantizedModelsTest.quantizedModel("cnn", i % 2 == 0 ? 1 : 3); Module wide = new Wide();
                    Module q = Quantizer.everyModule(QuantizationMappings.staticMappings(), wide.eval()).convert(wide.eval())) {
                run(cnn, i);
                try (NDManager m = NDManager.newBaseManager()) {
                    q.forward(m.ones(new Shape(4, 512))).toFloatArray();
                }
            }
        }
    }

    private static long rss() throws Exception {
        System.gc();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) << 10;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }

    private static final class Wide extends Module {
        Wide() {
            register("quant", new QuantStub());
            register("fc1", new Linear(512, 512));
            register("relu", new ReLU());
            register("fc2", new Linear(512, 512));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("fc2", call("relu", call("fc1", call("quant", x)))));
        }
    }
}
