package io.qcheckpoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fixtures {@code float_oracle.py} made with real torch (src/test/resources/fixtures/nn-float),
 * and the comparisons the float nn tests make against them.
 */
public final class FloatFixtures {
    /** Where the committed fixtures are. */
    public static final Path DIR = Path.of("src/test/resources/fixtures/nn-float");
    /** The oracle script. */
    public static final String SCRIPT = "float_oracle.py";

    private FloatFixtures() {
    }

    /** Returns torch's state dict of a case ({@code CASE.sd.pt}). */
    public static StateDict stateDict(String name) throws IOException {
        return TorchFiles.readStateDict(DIR.resolve(name + ".sd.pt"));
    }

    /** Returns torch's state dict of a fusion case's fused model ({@code CASE.fused.sd.pt}). */
    public static StateDict fusedStateDict(String name) throws IOException {
        return TorchFiles.readStateDict(DIR.resolve(name + ".fused.sd.pt"));
    }

    /** Returns a case's inputs and torch's outputs ({@code CASE.io.pt}, a dict). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> io(String name) throws IOException {
        return (Map<String, Object>) TorchFiles.read(DIR.resolve(name + ".io.pt")).root();
    }

    /** Returns the tensor at {@code key} of an io dict as an NDArray owned by {@code m}. */
    public static NDArray array(NDManager m, Map<String, Object> io, String key) {
        Object v = io.get(key);
        if (!(v instanceof Tensor t)) {
            throw new AssertionError("io entry '" + key + "' is " + v + ", not a tensor");
        }
        return TensorArrays.toNDArray(m, t);
    }

    /** Returns manifest.json: per case, torch's named_modules() and, for fusion cases, groups and fused modules. */
    public static JsonNode manifest() {
        try {
            return new ObjectMapper().readTree(DIR.resolve("manifest.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Returns {@code [[path, class name, training], ...]} of a manifest entry. */
    public static List<List<Object>> modulesOf(JsonNode described) {
        List<List<Object>> out = new ArrayList<>();
        for (JsonNode row : described) {
            out.add(List.of(row.get(0).asText(), row.get(1).asText(), row.get(2).asBoolean()));
        }
        return out;
    }

    /** Returns {@code [[path, class simple name, training], ...]} of a Java tree, in namedModules() order. */
    public static List<List<Object>> describe(Module root) {
        List<List<Object>> out = new ArrayList<>();
        root.namedModules().forEach((path, m) -> out.add(List.of(path, m.getClass().getSimpleName(), m.isTraining())));
        return out;
    }

    /** Returns a state dict's {@code _metadata} as prefix to version. */
    public static Map<String, Long> versions(StateDict sd) {
        Map<String, Long> out = new LinkedHashMap<>();
        sd.metadata().forEach((prefix, meta) -> out.put(prefix, ((Number) meta.get("version")).longValue()));
        return out;
    }

    /** Returns a JSON object of prefix to version as a map. */
    public static Map<String, Long> versions(JsonNode metadata) {
        Map<String, Long> out = new LinkedHashMap<>();
        metadata.properties().forEach(e -> out.put(e.getKey(), e.getValue().asLong()));
        return out;
    }

    /**
     * Asserts that two state dicts have the same keys in the same order, the same {@code _metadata},
     * and tensors of the same dtype and shape whose elements agree as {@link #assertClose} says.
     */
    public static void assertSameStateDict(StateDict expected, StateDict actual, double rtol, double atol) {
        assertEquals(List.copyOf(expected.keys()), List.copyOf(actual.keys()), "state dict keys");
        assertEquals(versions(expected), versions(actual), "state dict _metadata");
        for (String key : expected.keys()) {
            Tensor e = expected.tensor(key);
            Tensor a = actual.tensor(key);
            assertEquals(e.dtype(), a.dtype(), key + " dtype");
            assertArrayEquals(e.shape(), a.shape(), key + " shape");
            if (e.dtype().torchName().startsWith("float")) {
                assertClose(e.toDoubleArray(), a.toDoubleArray(), rtol, atol, key);
            } else {
                assertEquals(Arrays.toString(e.toLongArray()), Arrays.toString(a.toLongArray()), key);
            }
        }
    }

    /** Asserts two arrays have the same shape and elements within {@code atol + rtol * |expected|}. */
    public static void assertClose(NDArray expected, NDArray actual, double rtol, double atol, String what) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        assertClose(doubles(expected), doubles(actual), rtol, atol, what);
    }

    /** Asserts element by element {@code |actual - expected| <= atol + rtol * |expected|}, naming the worst element. */
    public static void assertClose(double[] expected, double[] actual, double rtol, double atol, String what) {
        assertEquals(expected.length, actual.length, what + " element count");
        int worst = -1;
        double worstExcess = 0;
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            if (Double.isNaN(e) && Double.isNaN(a)) {
                continue;
            }
            double excess = Double.isNaN(e) || Double.isNaN(a) ? Double.POSITIVE_INFINITY
                    : Math.abs(a - e) - (atol + rtol * Math.abs(e));
            if (excess > worstExcess) {
                worst = i;
                worstExcess = excess;
            }
        }
        if (worst >= 0) {
            fail(what + ": element " + worst + " is " + actual[worst] + ", expected " + expected[worst] + " (rtol "
                    + rtol + ", atol " + atol + ")");
        }
    }

    /** Returns an NDArray's elements as doubles. */
    public static double[] doubles(NDArray a) {
        try (NDArray d = a.toType(ai.djl.ndarray.types.DataType.FLOAT64, true)) {
            return d.toDoubleArray();
        }
    }

    private static void assertArrayEquals(long[] e, long[] a, String what) {
        assertEquals(Arrays.toString(e), Arrays.toString(a), what);
    }
}
