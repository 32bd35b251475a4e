package io.qcheckpoint.nn.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The models of {@code nn_models.py}, built in Java, fused, converted and loaded with torch 1.13's
 * quantized state dicts, give torch's outputs; and the state dicts Java writes load into torch's
 * quantized models (strict) and give the same outputs there.
 */
class QuantizedModelsTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures/nn-quant");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "ops", "conv3d", "bn", "dynamic"})
    void floatModelsGiveTorchsOutputs(String name) throws Exception {
        try (Module model = floatModel(name); NDManager m = NDManager.newBaseManager()) {
            float[] actual = model.forward(input(m, name)).toFloatArray();
            float[] expected = tensor(name + ".float_output.pt").toFloatArray();
            assertClose(expected, actual, 1e-5, name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "ops", "conv3d", "bn", "dynamic"})
    void quantizedModelsGiveTorchsOutputs(String name) throws Exception {
        JsonNode info = info(name);
        try (Module q = quantizedModel(name); NDManager m = NDManager.newBaseManager()) {
            float[] actual = q.forward(input(m, name)).toFloatArray();
            float[] expected = tensor(name + ".q_output.pt").toFloatArray();
            if (info.get("output_scale").isNull()) {
                assertClose(expected, actual, 1e-4, name);
            } else {
                assertWithinOneStep(expected, actual, info.get("output_scale").asDouble(), name);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "ops", "conv3d", "bn", "dynamic"})
    void javaStateDictsLoadIntoTorchsQuantizedModels(String name) throws Exception {
        JsonNode info = info(name);
        Path sd = dir.resolve(name + ".java_q_sd.pt");
        Path out = dir.resolve(name + ".torch_out.pt");
        StateDict written;
        try (Module q = quantizedModel(name)) {
            Map<String, String> javaTypes = new LinkedHashMap<>();
            q.namedModules().forEach((path, mod) -> javaTypes.put(path, path.isEmpty() ? "" : mod.getClass().getSimpleName()));
            Map<String, String> torchTypes = new LinkedHashMap<>();
            info.get("modules").properties().forEach(e -> torchTypes.put(e.getKey(), e.getKey().isEmpty() ? ""
                    : e.getValue().asText()));
            assertEquals(torchTypes, javaTypes, "the converted tree has torch's module types at torch's paths");
            written = q.stateDict();
            TorchFiles.write(sd, written.toOrderedDict());
        }
        assertEquals(strings(info.get("keys")), new ArrayList<>(written.keys()), "state dict keys and order");
        assertEquals(versions(info.get("metadata")), versions(written), "_metadata versions");

        JsonNode torch = JSON.readTree(PythonTorch.run("nn_models.py", "check", name, sd.toString(),
                FIXTURES.resolve(name + ".input.pt").toString(), out.toString()));
        assertEquals(info.get("keys"), torch.get("keys"));
        assertTrue(torch.get("entry_mismatches").isEmpty(), () -> "entries torch would save differently: "
                + torch.get("entry_mismatches"));
        assertArrayEquals(tensor(name + ".q_output.pt").toFloatArray(), TorchFiles.read(out).root() instanceof Tensor t
                ? t.toFloatArray() : null, "torch's output with the Java-written state dict");
    }

    static Module floatModel(String name) throws IOException {
        Module model = FixtureModels.create(name);
        model.loadStateDict(TorchFiles.readStateDict(FIXTURES.resolve(name + ".float_sd.pt")), true);
        model.eval();
        return model;
    }

    /** Builds the model as LPOT's load does: float model, fuse, convert, then the quantized state dict. */
    static Module quantizedModel(String name) throws IOException {
        return quantizedModel(name, 1);
    }

    /** The fixture's quantized model, its weights packed on up to {@code loadThreads} threads at once. */
    static Module quantizedModel(String name, int loadThreads) throws IOException {
        JsonNode info = info(name);
        try (Module model = floatModel(name)) {
            Module q;
            if (name.equals("dynamic")) {
                q = Quantizer.everyModule(QuantizationMappings.dynamicMappings(DType.QINT8), model).convert(model);
            } else {
                List<List<String>> groups = new ArrayList<>();
                info.get("fused").forEach(g -> groups.add(strings(g)));
                try (Module fused = FuseModules.fuseModules(model, groups)) {
                    q = Quantizer.everyModule(QuantizationMappings.staticMappings(), fused).convert(fused);
                }
            }
            q.loadStateDict(TorchFiles.readStateDict(FIXTURES.resolve(name + ".q_sd.pt")), true, loadThreads);
            return q;
        }
    }

    static NDArray input(NDManager m, String name) throws IOException {
        return TensorArrays.toNDArray(m, tensor(name + ".input.pt"));
    }

    static Tensor tensor(String file) throws IOException {
        return (Tensor) TorchFiles.read(FIXTURES.resolve(file)).root();
    }

    static JsonNode info(String name) throws IOException {
        return JSON.readTree(FIXTURES.resolve(name + ".json").toFile());
    }

    /** At least 99% of elements bit-exact, none more than one output quantization step apart. */
    static void assertWithinOneStep(float[] expected, float[] actual, double scale, String what) {
        assertOneStep(expected, actual, scale, 0, what, "equal torch's");
    }

    /** Every element within {@code steps} output steps of torch's. */
    static void assertWithinSteps(float[] expected, float[] actual, double scale, int steps, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            double apart = Math.abs(expected[i] - actual[i]) / scale;
            assertTrue(apart <= steps + 1e-4, what + ": element " + i + " is " + apart + " steps from torch's");
        }
    }

    /**
     * None more than one output step apart, and at least 99% on torch's step: for outputs whose scale
     * both sides computed from float ranges (calibration), so the scales themselves may differ in the
     * last bits between libtorch and torch or between CPUs, and no element can be bit-exact. Such drift
     * moves an element by at most 255 steps times the scales' relative difference (1e-6 at most,
     * measured), far below the thousandth of a step counted as the same step here.
     */
    static void assertSameSteps(float[] expected, float[] actual, double scale, String what) {
        assertOneStep(expected, actual, scale, 0.001, what, "on torch's step");
    }

    /** None more than one step apart, at least 99% within {@code same} steps (0: bit-exact). */
    private static void assertOneStep(float[] expected, float[] actual, double scale, double same, String what,
            String close) {
        assertEquals(expected.length, actual.length, what);
        double oneStep = 1 + Math.max(same, 1e-4);
        int n = 0;
        for (int i = 0; i < expected.length; i++) {
            double steps = Math.abs(expected[i] - actual[i]) / scale;
            assertTrue(steps <= oneStep, what + ": element " + i + " is " + steps + " steps from torch's");
            n += steps <= same ? 1 : 0;
        }
        assertTrue(n * 100L >= 99L * expected.length, what + ": only " + n + " of " + expected.length + " elements " + close);
    }

    /** Every element within {@code rel} of the largest magnitude of torch's output. */
    static void assertClose(float[] expected, float[] actual, double rel, String what) {
        assertEquals(expected.length, actual.length, what);
        double max = 0;
        for (float e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(expected[i] - actual[i]) <= rel * max, what + ": element " + i + " is " + actual[i]
                    + ", torch gives " + expected[i]);
        }
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Map<String, Long> versions(JsonNode metadata) {
        Map<String, Long> out = new LinkedHashMap<>();
        metadata.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    private static Map<String, Long> versions(StateDict sd) {
        Map<String, Long> out = new LinkedHashMap<>();
        sd.metadata().forEach((k, v) -> out.put(k, ((Number) v.get("version")).longValue()));
        return out;
    }
}
