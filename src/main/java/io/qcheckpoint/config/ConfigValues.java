package io.qcheckpoint.config;

import io.qcheckpoint.pt.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The values a tune config may hold beside its known keys: what YAML and Python share. null,
 * Boolean, Long (BigInteger past 64 bits), Double, String, lists, {@link Tuple}s and
 * insertion-ordered maps of them. Copies are deep and unmodifiable, so records holding them are
 * values.
 */
final class ConfigValues {
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private ConfigValues() {
    }

    /**
     * Returns an unmodifiable deep copy of {@code value}, with Integer/Short/Byte widened to Long,
     * BigIntegers that fit narrowed to Long, and Float widened to Double.
     *
     * @param value the value
     * @param path where it is, for the message
     * @return the copy
     * @throws IllegalArgumentException if it holds something else (a tensor, bytes, a set...), or a
     *     list or map as a mapping key
     */
    static Object copy(Object value, String path) {
        if (value == null || value instanceof Boolean || value instanceof String || value instanceof Long
                || value instanceof Double) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof BigInteger b) {
            return normalize(b);
        }
        if (value instanceof Float f) {
            return f.doubleValue();
        }
        if (value instanceof Tuple t) {
            return Tuple.copyOf(copyItems(t.items(), path));
        }
        if (value instanceof List<?> l) {
            return Collections.unmodifiableList(copyItems(l, path));
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                Object key = copy(e.getKey(), path + "[key " + e.getKey() + "]");
                if (containsUnhashable(key)) {
                    throw new IllegalArgumentException(path + ": a mapping key is a " + describe(key)
                            + ", which Python cannot hash");
                }
                out.put(key, copy(e.getValue(), path + "." + e.getKey()));
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException(path + ": a " + value.getClass().getName()
                + " is not a value a tune config can hold (null, bool, int, float, str, list, tuple, mapping)");
    }

    private static List<Object> copyItems(List<?> items, String path) {
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(copy(items.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static boolean containsUnhashable(Object key) {
        if (key instanceof List<?> || key instanceof Map<?, ?>) {
            return true;
        }
        return key instanceof Tuple t && t.items().stream().anyMatch(ConfigValues::containsUnhashable);
    }

    /** Returns {@code v} as a Long when it fits, else {@code v}: one representation per int value. */
    static Object normalize(BigInteger v) {
        return v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0 ? (Object) v.longValue() : v;
    }

    /**
     * Describes a value for an error message, in Python's terms: {@code an int (5)}, {@code a str ('x')}.
     *
     * @param v the value
     * @return the description
     */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean) {
            return "a bool (" + v + ")";
        }
        if (v instanceof Long || v instanceof BigInteger || v instanceof Integer) {
            String digits = v.toString();
            return "an int (" + (digits.length() > Excerpt.MAX_CHARS ? Excerpt.of(digits) : digits) + ")";
        }
        if (v instanceof Double d) {
            return "a float (" + PythonFloats.repr(d) + ")";
        }
        if (v instanceof String s) {
            return "a str ('" + Excerpt.of(s) + "')";
        }
        if (v instanceof Tuple) {
            return "a tuple";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        return "a " + v.getClass().getSimpleName();
    }
}
