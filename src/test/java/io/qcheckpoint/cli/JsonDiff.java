package io.qcheckpoint.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares two JSON trees exactly and says where they differ. Integers and floats are kept apart
 * (a zero point of {@code 3} is not {@code 3.0}); integers compare by value whatever their Java
 * width, floats as doubles with no tolerance; object member order does not matter, array order does.
 */
final class JsonDiff {
    private static final int MAX_REPORTED = 20;

    private JsonDiff() {
    }

    /**
     * Lists the differences between {@code expected} and {@code actual}.
     *
     * @return one line per difference (at most 20), empty when they are equal
     */
    static List<String> diff(JsonNode expected, JsonNode actual) {
        List<String> out = new ArrayList<>();
        walk("$", expected, actual, out);
        return out;
    }

    private static void walk(String path, JsonNode e, JsonNode a, List<String> out) {
        if (out.size() >= MAX_REPORTED) {
            return;
        }
        if (e.isNumber() && a.isNumber()) {
            boolean same;
            if (e.isIntegralNumber() && a.isIntegralNumber()) {
                same = e.bigIntegerValue().equals(a.bigIntegerValue());
            } else if (e.isFloatingPointNumber() && a.isFloatingPointNumber()) {
                same = Double.compare(e.doubleValue(), a.doubleValue()) == 0;
            } else {
                same = false;
            }
            if (!same) {
                out.add(path + ": expected " + e + ", got " + a);
            }
            return;
        }
        if (e.getNodeType() != a.getNodeType()) {
            out.add(path + ": expected " + e + ", got " + a);
            return;
        }
        if (e.isArray()) {
            if (e.size() != a.size()) {
                out.add(path + ": expected " + e.size() + " items, got " + a.size());
            }
            for (int i = 0; i < Math.min(e.size(), a.size()); i++) {
                walk(path + "[" + i + "]", e.get(i), a.get(i), out);
            }
        } else if (e.isObject()) {
            Set<String> names = new TreeSet<>();
            e.fieldNames().forEachRemaining(names::add);
            a.fieldNames().forEachRemaining(names::add);
            for (String n : names) {
                if (!e.has(n)) {
                    out.add(path + "." + n + ": unexpected, got " + a.get(n));
                } else if (!a.has(n)) {
                    out.add(path + "." + n + ": missing, expected " + e.get(n));
                } else {
                    walk(path + "." + n, e.get(n), a.get(n), out);
                }
            }
        } else if (!e.equals(a)) {
            out.add(path + ": expected " + e + ", got " + a);
        }
    }

    /** Names a tensor entry by its key, for readable paths. */
    static String describeTensors(JsonNode tensors) {
        StringBuilder sb = new StringBuilder();
        for (Iterator<JsonNode> it = tensors.elements(); it.hasNext();) {
            sb.append(it.next().path("key").asText()).append(it.hasNext() ? ", " : "");
        }
        return sb.toString();
    }
}
