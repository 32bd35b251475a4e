package io.qcheckpoint.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What torch 1.13 computes for the committed LPOT and IPEX checkpoints: the oracle of the tests that
 * compare int8 outputs.
 *
 * <p>int8 results depend on the CPU. oneDNN's int8 convolutions add products pairwise in saturating
 * int16 on CPUs without VNNI (AVX2, AVX-512 without VNNI), several output steps away from a VNNI
 * machine's exact int32 sums, and its kernels for other ISAs round some requantizations the other
 * way. The committed {@code output.pt} files were made on a VNNI machine. torch 1.13 and libtorch 2.7
 * do not always pick the same kind of kernel on a machine without VNNI (measured with
 * {@code ONEDNN_MAX_CPU_ISA=AVX2}: for fused_cnn torch 1.13 saturates, libtorch does not, and lands
 * within one step of the committed output). So a Java output is right when it matches torch on this
 * machine as the test demands, or lies within one step of the committed output everywhere
 * ({@link Expected}). Each output is computed once per JVM ({@link PythonTorch#require()} applies).
 */
public final class TorchOutputs {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    private static final Map<String, float[]> CACHE = new ConcurrentHashMap<>();

    private TorchOutputs() {
    }

    /**
     * torch's outputs for one case.
     *
     * @param thisMachine torch 1.13's output on this machine
     * @param committed the committed {@code output.pt}, from a machine with VNNI
     */
    public record Expected(float[] thisMachine, float[] committed) {
        /**
         * Within one output step of torch's on this machine with at least 99% exact, or within one
         * step of the committed output everywhere.
         */
        public void assertWithinOneStep(float[] actual, double scale, String what) {
            try {
                QuantizedModelsTestSupport.assertWithinOneStep(thisMachine, actual, scale, what);
            } catch (AssertionError here) {
                try {
                    QuantizedModelsTestSupport.assertWithinSteps(committed, actual, scale, 1, what);
                } catch (AssertionError there) {
                    throw new AssertionError(here.getMessage() + "; against the committed output: " + there.getMessage());
                }
            }
        }

        /** Within {@code rel} of the largest magnitude of torch's output on this machine or the committed one. */
        public void assertClose(float[] actual, double rel, String what) {
            try {
                QuantizedModelsTestSupport.assertClose(thisMachine, actual, rel, what);
            } catch (AssertionError here) {
                try {
                    QuantizedModelsTestSupport.assertClose(committed, actual, rel, what);
                } catch (AssertionError there) {
                    throw new AssertionError(here.getMessage() + "; against the committed output: " + there.getMessage());
                }
            }
        }
    }

    /**
     * torch's outputs for an LPOT case under {@code fixtures/lpot}: on this machine by
     * {@code lpot_models.py check}, which loads the case's committed checkpoint with LPOT's semantics
     * onto its fp32 weights and runs its input, and the committed one.
     *
     * @param name the case's folder name
     */
    public static Expected lpot(String name) throws IOException, InterruptedException {
        Path dir = FIXTURES.resolve("lpot").resolve(name);
        return new Expected(computed("lpot/" + name, out -> PythonTorch.run("lpot_models.py", "check", dir.toString(),
                name, dir.resolve("input.pt").toString(), out.toString())), committed(dir));
    }

    /** torch's outputs for the IPEX case under {@code fixtures/ipex}, on this machine by {@code ipex_models.py run}. */
    public static Expected ipex() throws IOException, InterruptedException {
        Path dir = FIXTURES.resolve("ipex");
        return new Expected(computed("ipex", out -> PythonTorch.run("ipex_models.py", "run", dir.toString(),
                out.toString())), committed(dir));
    }

    /**
     * An LPOT case's output against torch's: in output steps where the case has an output scale,
     * else within 1e-4 of the largest magnitude (an fp32 last layer).
     *
     * @param info the case's {@code case.json}
     * @param torch torch's outputs for the case
     * @param actual the output to check
     */
    public static void assertLpotOutput(JsonNode info, Expected torch, float[] actual) {
        String what = info.get("model").asText();
        JsonNode scale = info.get("output_scale");
        if (scale == null || scale.isNull()) {
            torch.assertClose(actual, 1e-4, what);
        } else {
            torch.assertWithinOneStep(actual, scale.asDouble(), what);
        }
    }

    private static float[] committed(Path dir) throws IOException {
        return ((Tensor) TorchFiles.read(dir.resolve("output.pt")).root()).toFloatArray();
    }

    private interface Script {
        void writeTo(Path out) throws IOException, InterruptedException;
    }

    private static float[] computed(String key, Script script) throws IOException, InterruptedException {
        float[] cached = CACHE.get(key);
        if (cached != null) {
            return cached.clone();
        }
        Path out = Files.createTempFile("torch-output", ".pt");
        try {
            script.writeTo(out);
            float[] output = ((Tensor) TorchFiles.read(out).root()).toFloatArray();
            CACHE.put(key, output);
            return output.clone();
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
