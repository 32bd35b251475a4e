package io.qcheckpoint.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.TorchOutputs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The checkpoint the DJL tests serve: LPOT v1.5's static checkpoint of RefNet (fixture
 * {@code lpot15_static}), loaded onto {@link LpotModels.FusedRefNet} with the fixture's float
 * weights; torch's outputs for it come from {@link TorchOutputs}.
 */
final class LpotCase {
    static final String NAME = "lpot15_static";
    static final Path DIR = Path.of("src/test/resources/fixtures/lpot", NAME);
    static final Path FP32_WEIGHTS = DIR.resolve("fp32_sd.pt");
    /** The float model, by the name DJL's criteria give it. */
    static final String FP32_CLASS = LpotModels.FusedRefNet.class.getName();

    private LpotCase() {
    }

    /** The criteria arguments that name the float model and its weights. */
    static Map<String, Object> fp32Arguments() {
        return Map.of(CheckpointBlocks.FP32_MODEL, FP32_CLASS, CheckpointBlocks.FP32_WEIGHTS, FP32_WEIGHTS.toString());
    }

    /** Loads the checkpoint as a plain {@link QuantizedModel}, the reference the DJL paths must equal bit for bit. */
    static QuantizedModel<?> load() throws IOException {
        return CheckpointBlocks.load(DIR, new ModuleClassSource(FP32_CLASS, LpotCase.class.getClassLoader(), Optional.of(FP32_WEIGHTS)),
                LoadOptions.defaults());
    }

    /** The case's input, two images [2, 3, 8, 8]. */
    static Tensor input() throws IOException {
        return (Tensor) TorchFiles.read(DIR.resolve("input.pt")).root();
    }

    static NDArray input(NDManager m) throws IOException {
        return TensorArrays.toNDArray(m, input());
    }

    /** The output quantization step of the checkpoint's last quantized op. */
    static double outputScale() throws IOException {
        return new ObjectMapper().readTree(DIR.resolve("case.json").toFile()).get("output_scale").asDouble();
    }

    /** Within one output step of what torch computes for the case's input. */
    static void assertTorchsOutput(float[] actual, String what) throws IOException, InterruptedException {
        TorchOutputs.lpot(NAME).assertWithinOneStep(actual, outputScale(), what);
    }
}
