package io.qcheckpoint.nn;

import static io.qcheckpoint.nn.FloatFixtures.array;
import static io.qcheckpoint.nn.FloatFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every float module against real torch: the same state-dict keys, order, shapes and
 * {@code _metadata}; torch's state dicts load and give torch's outputs; Java's state dicts load into
 * torch strictly and give Java's outputs there; quantized inputs run through libtorch's quantized
 * kernels as in torch.
 */
class FloatModulesMatchTorchTest {
    private static final double RTOL = 1e-5;
    private static final double ATOL = 1e-6;

    static Stream<String> moduleCases() {
        return TorchModels.MODULE_CASES.keySet().stream();
    }

    static Stream<String> quantizedCases() {
        List<String> names = new ArrayList<>();
        FloatFixtures.manifest().fieldNames().forEachRemaining(n -> {
            if (n.startsWith("q_")) {
                names.add(n);
            }
        });
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("moduleCases")
    void freshModuleHasTorchsKeysShapesMetadataAndTree(String name) throws Exception {
        StateDict torch = FloatFixtures.stateDict(name);
        try (Module m = TorchModels.MODULE_CASES.get(name).get()) {
            StateDict fresh = m.stateDict();
            assertEquals(List.copyOf(torch.keys()), List.copyOf(fresh.keys()), "keys in torch's order");
            assertEquals(FloatFixtures.versions(torch), FloatFixtures.versions(fresh), "_metadata");
            for (String key : torch.keys()) {
                assertEquals(Arrays.toString(torch.tensor(key).shape()), Arrays.toString(fresh.tensor(key).shape()), key);
                assertEquals(torch.tensor(key).dtype(), fresh.tensor(key).dtype(), key);
            }
            m.eval();
            assertEquals(FloatFixtures.modulesOf(FloatFixtures.manifest().get(name).get("modules")),
                    FloatFixtures.describe(m), "named_modules() with classes and modes");
        }
    }

    @ParameterizedTest
    @MethodSource("moduleCases")
    void torchsStateDictLoadsAndGivesTorchsOutput(String name) throws Exception {
        StateDict torch = FloatFixtures.stateDict(name);
        Map<String, Object> io = FloatFixtures.io(name);
        try (Module m = TorchModels.MODULE_CASES.get(name).get(); NDManager nd = NDManager.newBaseManager()) {
            m.loadStateDict(torch, true);
            m.eval();
            FloatFixtures.assertSameStateDict(torch, m.stateDict(), 0, 0);
            NDArray y = m.forward(array(nd, io, "input"));
            assertClose(array(nd, io, "output"), y, RTOL, ATOL, name + " output");
            assertTrue(y.getManager() == nd || y.getManager().getParentManager() == nd,
                    "the output belongs to the input's manager");
        }
    }

    @ParameterizedTest
    @MethodSource("io.qcheckpoint.nn.FloatModulesMatchTorchTest#bnTrainCases")
    void batchNormTrainsAsTorch(String name) throws Exception {
        Map<String, Object> io = FloatFixtures.io(name);
        try (Module m = TorchModels.BN_TRAIN_CASES.get(name).get(); NDManager nd = NDManager.newBaseManager()) {
            m.loadStateDict(FloatFixtures.stateDict(name), true);
            m.train(true);
            assertClose(array(nd, io, "output"), m.forward(array(nd, io, "input")), RTOL, ATOL, "first batch");
            assertClose(array(nd, io, "output2"), m.forward(array(nd, io, "input2")), RTOL, ATOL, "second batch");
            assertClose(array(nd, io, "running_mean"), m.buffer("running_mean"), 1e-6, 1e-7, "running_mean");
            assertClose(array(nd, io, "running_var"), m.buffer("running_var"), 1e-6, 1e-7, "running_var");
            assertEquals(((Tensor) io.get("num_batches_tracked")).toLongArray()[0], m.buffer("num_batches_tracked").getLong());
            assertEquals(DataType.INT64, m.buffer("num_batches_tracked").getDataType());
        }
    }

    static Stream<String> bnTrainCases() {
        return TorchModels.BN_TRAIN_CASES.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("quantizedCases")
    void quantizedInputRunsThroughLibtorchsQuantizedKernels(String name) throws Exception {
        Map<String, Object> io = FloatFixtures.io(name);
        String base = FloatFixtures.manifest().get(name).get("base").asText();
        double scale = ((Number) io.get("scale")).doubleValue();
        long zeroPoint = ((Number) io.get("zero_point")).longValue();
        try (Module m = TorchModels.MODULE_CASES.get(base).get(); NDManager nd = NDManager.newBaseManager()) {
            m.eval();
            NDArray q = QuantizedKernels.quantizePerTensor(array(nd, io, "input"), scale, zeroPoint, DType.QUINT8);
            NDArray y = m.forward(q);
            assertEquals(DataType.UNKNOWN, y.getDataType(), "the output is still quantized");
            double outputScale = ((Number) io.get("output_scale")).doubleValue();
            assertEquals(outputScale, QuantizedKernels.qScale(y), 1e-12, "output scale");
            assertEquals(((Number) io.get("output_zero_point")).longValue(), QuantizedKernels.qZeroPoint(y), "output zero point");
            // torch 1.13 and libtorch 2.7 may round an average differently: at most one step apart
            assertClose(array(nd, io, "output"), QuantizedKernels.dequantize(y), 0, outputScale * 1.001, name);
        }
    }

    /** torch's quantized Hardswish: its output qparams are the module's, and its state dict is empty, as torch's. */
    @Test
    void quantizedHardswishGivesTorchsOutput() throws Exception {
        Map<String, Object> io = FloatFixtures.io("qm_hardswish");
        double outputScale = ((Number) io.get("output_scale")).doubleValue();
        long outputZeroPoint = ((Number) io.get("output_zero_point")).longValue();
        try (Module m = new io.qcheckpoint.nn.quantized.Hardswish(outputScale, outputZeroPoint);
                NDManager nd = NDManager.newBaseManager()) {
            assertTrue(m.stateDict().keys().isEmpty(), "torch's quantized Hardswish has no state");
            NDArray q = QuantizedKernels.quantizePerTensor(array(nd, io, "input"), ((Number) io.get("scale")).doubleValue(),
                    ((Number) io.get("zero_point")).longValue(), DType.QUINT8);
            NDArray y = m.forward(q);
            assertEquals(outputScale, QuantizedKernels.qScale(y), 1e-12, "output scale");
            assertEquals(outputZeroPoint, QuantizedKernels.qZeroPoint(y), "output zero point");
            QuantizedModelsTestSupport.assertWithinOneStep(FloatFixtures.array(nd, io, "output").toFloatArray(),
                    QuantizedKernels.dequantize(y).toFloatArray(), outputScale, "quantized hardswish");
        }
    }

    @Test
    void javaStateDictsLoadIntoTorchStrictlyAndGiveJavasOutputsThere(@TempDir Path dir) throws Exception {
        PythonTorch.require();
        Map<String, Supplier<Module>> cases = new LinkedHashMap<>(TorchModels.MODULE_CASES);
        cases.putAll(TorchModels.BN_TRAIN_CASES);
        Map<String, double[]> outputs = new LinkedHashMap<>();
        Map<String, String> shapes = new LinkedHashMap<>();
        Map<String, StateDict> written = new LinkedHashMap<>();
        try (NDManager nd = NDManager.newBaseManager()) {
            for (Map.Entry<String, Supplier<Module>> c : cases.entrySet()) {
                try (Module m = c.getValue().get()) {
                    NDArray x = array(nd, FloatFixtures.io(c.getKey()), "input");
                    // one training step moves batch norms' running stats and counters off their initial values
                    m.train(true).forward(x);
                    m.eval();
                    NDArray y = m.forward(x);
                    outputs.put(c.getKey(), FloatFixtures.doubles(y));
                    shapes.put(c.getKey(), Arrays.toString(y.getShape().getShape()));
                    StateDict sd = m.stateDict();
                    written.put(c.getKey(), sd);
                    TorchFiles.write(dir.resolve(c.getKey() + ".sd.pt"), sd);
                }
            }
        }
        List<String> args = new ArrayList<>(List.of("check", dir.toString()));
        args.addAll(cases.keySet());
        JsonNode torch = new ObjectMapper().readTree(PythonTorch.run(FloatFixtures.SCRIPT, args.toArray(String[]::new)));
        for (String name : cases.keySet()) {
            JsonNode t = torch.get(name);
            StateDict sd = written.get(name);
            List<String> keys = new ArrayList<>();
            t.get("keys").forEach(k -> keys.add(k.asText()));
            assertEquals(List.copyOf(sd.keys()), keys, name + " keys torch read");
            assertEquals(FloatFixtures.versions(sd), FloatFixtures.versions(t.get("metadata")), name + " _metadata torch read");
            List<Long> shape = new ArrayList<>();
            t.get("shape").forEach(d -> shape.add(d.asLong()));
            assertEquals(shape.toString(), shapes.get(name), name + " output shape");
            double[] out = new double[t.get("output").size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = t.get("output").get(i).asDouble();
            }
            assertClose(out, outputs.get(name), RTOL, ATOL, name + " output (torch's, with Java's state dict)");
        }
    }
}
