package io.qcheckpoint.ipex;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.IpexQuantizedModel;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexConfigs;
import io.qcheckpoint.config.IpexOpCalibration;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.JsonTensors;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link IpexQuantizedModel#calibrate}: on torch's calibration batches the list is the one
 * {@code ipex_calibration_oracle.py} computes with forward hooks in torch 1.13 (names, order and
 * flags exactly, multipliers within the float differences of the two libtorch versions); saved and
 * loaded it is the same model; fp32 ops stay float; bad arguments are refused with clear messages.
 */
class IpexCalibrationTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/ipex");
    private static final Shape SHAPE = new Shape(2, 3, 8, 8);

    @TempDir
    Path tmp;

    @Test
    void theListIsTorchsOnTheSameBatches() throws Exception {
        JsonNode torch = new ObjectMapper().readTree(PythonTorch.run("ipex_calibration_oracle.py", "conv2"));
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            List<NDArray> batches = new ArrayList<>();
            torch.get("batches").forEach(b -> batches.add(JsonTensors.array(m, b)));
            NDArray x = JsonTensors.array(m, torch.get("input"));
            float[] before = fp32.forward(x).toFloatArray();
            try (IpexQuantizedModel q = IpexQuantizedModel.calibrate(fp32, batches, Set.of("conv2"))) {
                List<IpexOpCalibration> ops = q.tuneConfig().ops();
                JsonNode expected = torch.get("ops");
                assertEquals(expected.size(), ops.size(), "op count");
                for (int i = 0; i < ops.size(); i++) {
                    IpexOpCalibration op = ops.get(i);
                    JsonNode e = expected.get(i);
                    String what = "op " + i + " (" + torch.get("paths").get(i).asText() + ")";
                    assertEquals(e.get("id").asInt(), op.id(), what);
                    assertEquals(e.get("name").asText(), op.name(), what);
                    assertEquals(e.get("algorithm").asText(), op.algorithm(), what);
                    assertEquals(e.get("weight_granularity").asText(), op.weightGranularity(), what);
                    assertEquals(e.get("quantized").asBoolean(), op.quantized(), what);
                    assertEquals(List.of(e.get("inputs_uint8_used").get(0).asBoolean()), op.inputsUint8Used(), what);
                    assertEquals(List.of(e.get("outputs_uint8_used").get(0).asBoolean()), op.outputsUint8Used(), what);
                    assertTrue(op.inputsZeroPoint().isEmpty() && op.outputsZeroPoint().isEmpty(), what + ": IPEX 1.x has no zero points");
                    assertTrue(op.extras().isEmpty(), what);
                    // ranges of float activations: libtorch 2.x and torch 1.13 compute convs a few ulps apart
                    assertMultiplier(e.get("inputs_scale"), op.inputsScale(), what + " inputs_scale");
                    assertMultiplier(e.get("outputs_scale"), op.outputsScale(), what + " outputs_scale");
                }
                // the model is the list's: torch's int8 model of its own list gives the same outputs, to within
                // the step the multipliers' last bits can move a rounding
                float[] torchOut = JsonTensors.floats(torch.get("output_bits"));
                QuantizedModelsTestSupport.assertSameSteps(torchOut, q.forward(x).toFloatArray(),
                        torch.get("output_scale").asDouble(), "ipex calibration");
                assertTrue(q.module().module("conv1") instanceof IpexQuantizedOp);
                assertTrue(q.module().module("fc") instanceof IpexQuantizedOp);
            }
            assertArrayEquals(before, fp32.forward(x).toFloatArray(), "the fp32 model changed");
        }
    }

    @Test
    void savedAndLoadedItIsTheSameModel() throws Exception {
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            List<NDArray> batches = batches(m, 4, 11);
            NDArray x = gaussian(m, SHAPE, 12);
            Path dir = tmp.resolve("ckpt");
            float[] calibrated;
            IpexConfig list;
            try (IpexQuantizedModel q = IpexQuantizedModel.calibrate(fp32, batches, Set.of())) {
                calibrated = q.forward(x).toFloatArray();
                list = q.tuneConfig();
                assertTrue(list.ops().stream().allMatch(IpexOpCalibration::quantized));
                q.save(dir);
            }
            assertEquals(list, IpexConfigs.readJson(dir.resolve(IpexQuantizedModel.CONFIG_FILE)), "the file re-reads");
            assertEquals(1, dir.toFile().list().length, "IPEX checkpoints hold only the JSON");
            try (QuantizedModel<?> loaded = Checkpoints.load(dir, fp32, LoadOptions.defaults().withExampleInput(x))) {
                assertTrue(loaded instanceof IpexQuantizedModel);
                assertEquals(list, loaded.tuneConfig());
                assertArrayEquals(calibrated, loaded.forward(x).toFloatArray(), "loaded outputs");
            }
        }
    }

    @Test
    void fp32OpsStayFloat() throws Exception {
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            List<NDArray> batches = batches(m, 3, 21);
            NDArray x = gaussian(m, SHAPE, 22);
            try (IpexQuantizedModel q = IpexQuantizedModel.calibrate(fp32, batches, Set.of("fc"))) {
                List<IpexOpCalibration> ops = q.tuneConfig().ops();
                assertEquals(List.of(true, true, false), ops.stream().map(IpexOpCalibration::quantized).toList());
                Module fc = q.module().module("fc");
                assertTrue(fc instanceof io.qcheckpoint.nn.Linear, "fc is " + fc.getClass().getSimpleName());
                assertArrayEquals(fp32.module("fc").parameter("weight").toFloatArray(), fc.parameter("weight").toFloatArray());
                assertTrue(q.module().module("conv2") instanceof IpexQuantizedOp);
            }
            // with every op in fp32 nothing is quantized: the float model's outputs, bit for bit
            try (IpexQuantizedModel q = IpexQuantizedModel.calibrate(fp32, batches, Set.of("conv1", "conv2", "fc"))) {
                assertTrue(q.tuneConfig().ops().stream().noneMatch(IpexOpCalibration::quantized));
                assertArrayEquals(fp32.forward(x).toFloatArray(), q.forward(x).toFloatArray());
            }
        }
    }

    @Test
    void allZeroDataGetsAFiniteMultiplier() throws Exception {
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            NDArray zeros = m.zeros(SHAPE);
            try (IpexQuantizedModel q = IpexQuantizedModel.calibrate(fp32, List.of(zeros), Set.of())) {
                IpexOpCalibration conv1 = q.tuneConfig().ops().get(0);
                assertEquals(List.of(IpexCalibration.ALL_ZERO_MULTIPLIER), conv1.inputsScale());
                assertEquals(List.of(true), conv1.inputsUint8Used());
                float[] y = q.forward(zeros).toFloatArray();
                for (float v : y) {
                    assertTrue(Float.isFinite(v), "output " + v);
                }
            }
        }
    }

    @Test
    void theFormulasAreIpexs() {
        assertEquals(new IpexCalibration.Quant(255.0 / 3.5f, true), IpexCalibration.quant(0f, 3.5f, "op", "input"));
        assertEquals(new IpexCalibration.Quant(255.0 / 3.5f, true), IpexCalibration.quant(1.25f, 3.5f, "op", "input"));
        assertEquals(new IpexCalibration.Quant(127.5 / 4.0, false), IpexCalibration.quant(-4f, 3f, "op", "input"));
        assertEquals(new IpexCalibration.Quant(127.5 / 0.1f, false), IpexCalibration.quant(-0.01f, 0.1f, "op", "input"));
        assertEquals(new IpexCalibration.Quant(1.0, true), IpexCalibration.quant(-0f, 0f, "op", "input"));
    }

    @Test
    void badArgumentsAreRefused() throws Exception {
        try (Module fp32 = fp32(); NDManager m = NDManager.newBaseManager()) {
            IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                    () -> IpexQuantizedModel.calibrate(fp32, List.of(), Set.of()));
            assertTrue(empty.getMessage().contains("empty"), empty.getMessage());
            List<NDArray> batches = batches(m, 2, 31);
            for (String bad : List.of("conv9", "conv1.0", "relu2")) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> IpexQuantizedModel.calibrate(fp32, batches, Set.of("conv1", bad)));
                assertTrue(e.getMessage().contains("[" + bad + "]") && e.getMessage().contains("[conv1, conv2, fc]"),
                        e.getMessage());
            }
            NDArray nan = gaussian(m, SHAPE, 32);
            nan.set(new ai.djl.ndarray.index.NDIndex("0, 0, 0, 0"), Float.NaN);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> IpexQuantizedModel.calibrate(fp32, List.of(batches.get(0), nan), Set.of()));
            assertTrue(e.getMessage().contains("'conv1'") && e.getMessage().contains("NaN"), e.getMessage());
            assertThrows(NullPointerException.class, () -> IpexQuantizedModel.calibrate(fp32, batches, null));
            // nothing is left behind in the float model
            assertFalse(fp32.namedModules().values().stream().anyMatch(x -> x instanceof IpexQuantizedOp));
        }
    }

    private static void assertMultiplier(JsonNode expected, List<Double> actual, String what) {
        assertEquals(1, expected.size(), what);
        assertEquals(1, actual.size(), what);
        double e = expected.get(0).asDouble();
        assertEquals(e, actual.get(0), Math.abs(e) * 1e-6, what);
    }

    private static Module fp32() throws Exception {
        Module model = new LpotModels.IpexNet().eval();
        model.loadStateDict(TorchFiles.readStateDict(FIXTURES.resolve("fp32_sd.pt")), true);
        return model;
    }

    private static List<NDArray> batches(NDManager m, int n, long seed) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(gaussian(m, SHAPE, seed * 100 + i));
        }
        return out;
    }

    private static NDArray gaussian(NDManager m, Shape shape, long seed) {
        Random r = new Random(seed);
        float[] f = new float[(int) shape.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
        }
        return m.create(f, shape);
    }
}
