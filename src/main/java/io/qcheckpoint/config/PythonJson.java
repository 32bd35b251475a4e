package io.qcheckpoint.config;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(value)} with its defaults, byte for byte: one line, separators
 * {@code ", "} and {@code ": "}, {@code ensure_ascii} (everything outside printable ASCII escaped
 * as lower-case {@code \u00e9}, surrogate pairs past U+FFFF), floats as {@code repr(float)},
 * {@code NaN} / {@code Infinity} / {@code -Infinity} allowed, keys in the map's order.
 */
final class PythonJson {
    private PythonJson() {
    }

    /**
     * Returns the JSON text Python writes for {@code value}.
     *
     * @param value null, Boolean, Long/Integer/BigInteger, Double, String, lists, or maps with string keys
     * @return the text, without a final newline (json.dump writes none)
     * @throws IllegalArgumentException for anything else
     */
    static String dumps(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    private static void write(StringBuilder out, Object v) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            out.append(v);
        } else if (v instanceof Double d) {
            out.append(floatText(d));
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof List<?> l) {
            out.append('[');
            for (int i = 0; i < l.size(); i++) {
                out.append(i == 0 ? "" : ", ");
                write(out, l.get(i));
            }
            out.append(']');
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON keys here are strings, found " + ConfigValues.describe(e.getKey()));
                }
                out.append(first ? "" : ", ");
                first = false;
                string(out, key);
                out.append(": ");
                write(out, e.getValue());
            }
            out.append('}');
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
        }
    }

    /** json's floatstr: Python's repr, with JavaScript's names for the non-finite values. */
    static String floatText(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return PythonFloats.repr(d);
    }

    /** json's py_encode_basestring_ascii. */
    private static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c >= 0x20 && c <= 0x7E) {
                        out.append(c);
                    } else {
                        // a Java char is a UTF-16 unit: past U+FFFF this writes the surrogate pair, as Python does
                        out.append(String.format("\\u%04x", (int) c));
                    }
                }
            }
        }
        out.append('"');
    }
}
