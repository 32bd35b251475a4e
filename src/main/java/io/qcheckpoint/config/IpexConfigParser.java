package io.qcheckpoint.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.qcheckpoint.pt.CheckpointFormatException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a parsed {@code best_configure.json} and builds the {@link IpexConfig}. Errors name the
 * file, the op's index and the key, e.g. {@code [3].inputs_scale[1]: expected a number}.
 */
final class IpexConfigParser {
    private final String source;

    IpexConfigParser(String source) {
        this.source = source;
    }

    IpexConfig parse(JsonNode root) throws CheckpointFormatException {
        if (!root.isArray()) {
            throw error("", "expected a JSON list of ops, found " + kind(root));
        }
        List<IpexOpCalibration> ops = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            ops.add(op(root.get(i), "[" + i + "]"));
        }
        return new IpexConfig(ops);
    }

    private IpexOpCalibration op(JsonNode n, String path) throws CheckpointFormatException {
        if (!n.isObject()) {
            throw error(path, "expected an object, found " + kind(n));
        }
        JsonNode id = required(n, path, "id");
        if (!id.isIntegralNumber() || !id.canConvertToInt()) {
            throw error(path + ".id", "expected an int, found " + kind(id));
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : n.properties()) {
            if (!IpexOpCalibration.KEYS.contains(e.getKey())) {
                extras.put(e.getKey(), data(e.getValue()));
            }
        }
        return new IpexOpCalibration(id.intValue(), string(n, path, "name"), string(n, path, "algorithm"),
                string(n, path, "weight_granularity"),
                list(n, path, "inputs_scale", "a number", JsonNode::isNumber, JsonNode::doubleValue),
                list(n, path, "outputs_scale", "a number", JsonNode::isNumber, JsonNode::doubleValue),
                n.has("inputs_zero_point") ? Optional.of(list(n, path, "inputs_zero_point", "an int", IpexConfigParser::isLong,
                        JsonNode::longValue)) : Optional.empty(),
                n.has("outputs_zero_point") ? Optional.of(list(n, path, "outputs_zero_point", "an int", IpexConfigParser::isLong,
                        JsonNode::longValue)) : Optional.empty(),
                list(n, path, "inputs_uint8_used", "a bool", JsonNode::isBoolean, JsonNode::booleanValue),
                list(n, path, "outputs_uint8_used", "a bool", JsonNode::isBoolean, JsonNode::booleanValue),
                bool(n, path, "quantized"), extras);
    }

    private static boolean isLong(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong();
    }

    private JsonNode required(JsonNode n, String path, String key) throws CheckpointFormatException {
        JsonNode v = n.get(key);
        if (v == null) {
            throw error(path + "." + key, "missing");
        }
        return v;
    }

    private String string(JsonNode n, String path, String key) throws CheckpointFormatException {
        JsonNode v = required(n, path, key);
        if (!v.isTextual()) {
            throw error(path + "." + key, "expected a string, found " + kind(v));
        }
        return v.textValue();
    }

    private boolean bool(JsonNode n, String path, String key) throws CheckpointFormatException {
        JsonNode v = required(n, path, key);
        if (!v.isBoolean()) {
            throw error(path + "." + key, "expected a bool, found " + kind(v));
        }
        return v.booleanValue();
    }

    private <T> List<T> list(JsonNode n, String path, String key, String what, java.util.function.Predicate<JsonNode> ok,
            Function<JsonNode, T> value) throws CheckpointFormatException {
        JsonNode v = required(n, path, key);
        if (!v.isArray()) {
            throw error(path + "." + key, "expected a list, found " + kind(v));
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!ok.test(v.get(i))) {
                throw error(path + "." + key + "[" + i + "]", "expected " + what + ", found " + kind(v.get(i)));
            }
            out.add(value.apply(v.get(i)));
        }
        return out;
    }

    /** A JSON value as Python's json.load gives it: Long (BigInteger past 64 bits), Double, String... */
    private static Object data(JsonNode n) {
        if (n.isNull()) {
            return null;
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return ConfigValues.normalize(n.bigIntegerValue());
        }
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isArray()) {
            List<Object> out = new ArrayList<>();
            n.forEach(x -> out.add(data(x)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        n.properties().forEach(e -> out.put(e.getKey(), data(e.getValue())));
        return out;
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case STRING -> "a string (\"" + Excerpt.of(n.textValue()) + "\")";
            case NUMBER -> "a number (" + Excerpt.of(n.toString()) + ")";
            case BOOLEAN -> "a bool (" + n + ")";
            case NULL -> "null";
            default -> n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private CheckpointFormatException error(String path, String reason) {
        return new CheckpointFormatException(source, (path.isEmpty() ? "" : path + ": ") + reason);
    }
}
