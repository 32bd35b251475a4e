package io.qcheckpoint.ipex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.IpexQuantizedModel;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.TorchOutputs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IPEX-backend checkpoint ({@code best_configure.json}) made by {@code ipex_models.py}: loaded
 * onto the float model with an example input, it gives the outputs torch's int8 kernels give for the
 * same calibration on this machine ({@link TorchOutputs}); saved again, the JSON is byte for byte the same; a list that does not fit the
 * model is refused.
 */
class IpexCheckpointTest {
    private static final Path DIR = Path.of("src/test/resources/fixtures/ipex");

    @TempDir
    Path tmp;

    @Test
    void loadsWithTorchsNumbersAndSavesTheSameJson() throws Exception {
        JsonNode info = new ObjectMapper().readTree(DIR.resolve("case.json").toFile());
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            NDArray x = TensorArrays.toNDArray(m, (Tensor) TorchFiles.read(DIR.resolve("input.pt")).root());
            float[] before = fp32.forward(x).toFloatArray();
            try (QuantizedModel<?> q = Checkpoints.load(DIR, fp32, LoadOptions.defaults().withExampleInput(x))) {
                assertTrue(q instanceof IpexQuantizedModel);
                float[] actual = q.forward(x).toFloatArray();
                TorchOutputs.ipex().assertWithinOneStep(actual, info.get("output_scale").asDouble(), "ipex");
                assertTrue(q.module().module("conv1") instanceof IpexQuantizedOp);
                assertTrue(q.module().module("conv2") instanceof io.qcheckpoint.nn.Conv2d, "quantized: false stays fp32");
                assertTrue(q.module().module("fc") instanceof IpexQuantizedOp);
                q.save(tmp.resolve("saved"));
            }
            assertArrayEquals(before, fp32.forward(x).toFloatArray(), "the fp32 model changed");
        }
        assertArrayEquals(Files.readAllBytes(DIR.resolve(IpexQuantizedModel.CONFIG_FILE)),
                Files.readAllBytes(tmp.resolve("saved").resolve(IpexQuantizedModel.CONFIG_FILE)));
        assertEquals(1, tmp.resolve("saved").toFile().list().length, "IPEX checkpoints hold only the JSON");
    }

    @Test
    void aListThatDoesNotFitTheModelIsRefused() throws Exception {
        String json = Files.readString(DIR.resolve(IpexQuantizedModel.CONFIG_FILE), StandardCharsets.UTF_8);
        Path bad = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(bad.resolve(IpexQuantizedModel.CONFIG_FILE), json.replace("\"Linear\"", "\"Convolution\""));
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            NDArray x = TensorArrays.toNDArray(m, (Tensor) TorchFiles.read(DIR.resolve("input.pt")).root());
            ModelMismatchException e = assertThrows(ModelMismatchException.class,
                    () -> Checkpoints.load(bad, fp32, LoadOptions.defaults().withExampleInput(x)));
            assertTrue(e.getMessage().contains("op 2") && e.getMessage().contains("'fc'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Checkpoints.load(DIR, fp32));
        }
    }

    private static Module fp32() throws Exception {
        Module model = new LpotModels.IpexNet().eval();
        model.loadStateDict(TorchFiles.readStateDict(DIR.resolve("fp32_sd.pt")), true);
        return model;
    }
}
