package io.qcheckpoint.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Config data in the tagged JSON encoding {@code config_fixtures.py check} decodes: the Python
 * value Java means, independent of the YAML and float formatting under test (floats travel as IEEE
 * bits, tuples and ints are tagged).
 */
final class TaggedData {
    private TaggedData() {
    }

    static String json(Object value) throws Exception {
        return new ObjectMapper().writeValueAsString(tag(value));
    }

    private static Object tag(Object v) {
        if (v == null || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            return Map.of("i", v.toString());
        }
        if (v instanceof Double d) {
            return Map.of("f", String.format("%016x", Double.doubleToRawLongBits(d)));
        }
        if (v instanceof Tuple t) {
            return Map.of("t", items(t.items()));
        }
        if (v instanceof List<?> l) {
            return Map.of("l", items(l));
        }
        if (v instanceof Map<?, ?> m) {
            List<Object> pairs = new ArrayList<>();
            m.forEach((k, x) -> pairs.add(Arrays.asList(tag(k), tag(x))));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("m", pairs);
            return out;
        }
        throw new IllegalArgumentException(v.getClass().getName());
    }

    private static List<Object> items(List<?> l) {
        List<Object> out = new ArrayList<>();
        l.forEach(x -> out.add(tag(x)));
        return out;
    }
}
