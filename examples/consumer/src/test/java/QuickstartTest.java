import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The README's quickstart, from a project that knows QCheckpoint only as a Maven dependency: LPOT's
 * checkpoint loads onto the float model and gives PyTorch's int8 output. The committed output is
 * torch's on a VNNI CPU; other CPUs' int8 kernels differ by whole steps, so the bound is that of the
 * repo's fixture comparison (src/test/python/fixture_compare.py): at most 8 output steps, 2 on average.
 */
class QuickstartTest {
    private static final Path EXAMPLE = Path.of(System.getProperty("examples.dir", ".."), "serve-lpot-checkpoint");

    @Test
    void theLibraryArtifactHoldsNoCommandLineDemoOrBenchmarks() {
        for (String name : List.of("io.qcheckpoint.cli.Main", "io.qcheckpoint.cli.bench.NnBenchmark",
                "io.qcheckpoint.demo.DigitsCnn")) {
            assertThrows(ClassNotFoundException.class, () -> Class.forName(name), name);
        }
        assertEquals(null, QuickstartTest.class.getResource("/io/qcheckpoint/demo/digits.csv.gz"), "the demo's data");
    }

    /** The README's first quickstart: the float model from its TorchScript file, no model code. */
    @Test
    void theCheckpointServesPytorchsOutputOnTheTorchScriptFile() throws Exception {
        try (Module fp32 = TorchScriptModels.load(EXAMPLE.resolve("fp32.pt"))) {
            assertServesPytorchsOutput(fp32);
        }
    }

    @Test
    void theCheckpointServesPytorchsOutputOnTheJavaModel() throws Exception {
        try (RefNet fp32 = new RefNet()) {
            fp32.loadStateDict(TorchFiles.readStateDict(EXAMPLE.resolve("fp32_weights.pt")), true);
            fp32.eval();
            assertServesPytorchsOutput(fp32);
        }
    }

    private static void assertServesPytorchsOutput(Module fp32) throws Exception {
        Path checkpoint = EXAMPLE.resolve("checkpoint");
        try (QuantizedModel<?> int8 = Checkpoints.load(checkpoint, fp32); NDManager request = NDManager.newBaseManager()) {
            Tensor input = (Tensor) TorchFiles.read(EXAMPLE.resolve("input.pt")).root();
            NDArray y = int8.forward(TensorArrays.toNDArray(request, input));
            float[] java = y.toFloatArray();
            float[] torch = ((Tensor) TorchFiles.read(EXAMPLE.resolve("output.pt")).root()).toFloatArray();
            StateDict weights = TorchFiles.readStateDict(checkpoint.resolve("best_model_weights.pt"));
            double step = weights.tensor("fc.scale").toFloatArray()[0];
            assertEquals(torch.length, java.length);
            double sum = 0;
            for (int i = 0; i < torch.length; i++) {
                double steps = Math.abs(torch[i] - java[i]) / step;
                assertTrue(steps <= 8 + 1e-3, "element " + i + ": " + java[i] + " vs torch's " + torch[i]);
                sum += steps;
            }
            assertTrue(sum / torch.length <= 2, "mean difference " + sum / torch.length + " steps");
        }
    }
}
