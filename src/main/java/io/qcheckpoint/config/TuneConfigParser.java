package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Checks a parsed tune config (from YAML, or from a pickle) and builds the {@link TuneConfig}. Every
 * error names the file, the line when the map came from YAML, the key path and what was expected.
 */
final class TuneConfigParser {
    private final String source;
    private final SourceLines lines;

    TuneConfigParser(String source, SourceLines lines) {
        this.source = source;
        this.lines = lines;
    }

    TuneConfig parse(Object root) throws CheckpointFormatException {
        if (!(root instanceof Map<?, ?> top)) {
            throw error(root, null, "", "expected a mapping at the top level, found " + ConfigValues.describe(root));
        }
        Map<String, Object> others = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : top.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw error(top, e.getKey(), "", "top-level keys must be strings, found " + ConfigValues.describe(e.getKey()));
            }
            if (!key.equals(TuneConfig.APPROACH) && !key.equals(TuneConfig.FRAMEWORK)
                    && !key.equals(TuneConfig.CALIB_ITERATION) && !key.equals(TuneConfig.OP)) {
                others.put(key, e.getValue());
            }
        }
        String approach = string(top, TuneConfig.APPROACH, true);
        Optional<String> framework = Optional.ofNullable(string(top, TuneConfig.FRAMEWORK, false));
        OptionalLong calibIteration = calibIteration(top);
        Map<OpKey, OpConfig> ops = ops(top);
        try {
            return new TuneConfig(approach, framework, calibIteration, ops, others);
        } catch (IllegalArgumentException e) {
            // a value deep in the other keys that is not config data (only a pickle can hold one)
            throw new CheckpointFormatException(source, e.getMessage(), e);
        }
    }

    private String string(Map<?, ?> top, String key, boolean required) throws CheckpointFormatException {
        if (!top.containsKey(key)) {
            if (required) {
                throw error(top, null, key, "missing (LPOT reads it)");
            }
            return null;
        }
        Object v = top.get(key);
        if (!(v instanceof String s)) {
            throw error(top, key, key, "expected a str, found " + ConfigValues.describe(v));
        }
        return s;
    }

    private OptionalLong calibIteration(Map<?, ?> top) throws CheckpointFormatException {
        if (!top.containsKey(TuneConfig.CALIB_ITERATION)) {
            return OptionalLong.empty();
        }
        Object v = top.get(TuneConfig.CALIB_ITERATION);
        if (v instanceof Long n) {
            return OptionalLong.of(n);
        }
        if (v instanceof Integer n) {
            return OptionalLong.of(n);
        }
        throw error(top, TuneConfig.CALIB_ITERATION, TuneConfig.CALIB_ITERATION, "expected an int"
                + (v instanceof BigInteger ? " that fits 64 bits" : "") + ", found " + ConfigValues.describe(v));
    }

    private Map<OpKey, OpConfig> ops(Map<?, ?> top) throws CheckpointFormatException {
        if (!top.containsKey(TuneConfig.OP)) {
            throw error(top, null, TuneConfig.OP, "missing: a tune config lists its ops under 'op'");
        }
        if (!(top.get(TuneConfig.OP) instanceof Map<?, ?> op)) {
            throw error(top, TuneConfig.OP, TuneConfig.OP, "expected a mapping of (name, type) tuples to op configs, found "
                    + ConfigValues.describe(top.get(TuneConfig.OP)));
        }
        Map<OpKey, OpConfig> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : op.entrySet()) {
            OpKey key = OpKey.from(e.getKey()).orElseThrow(() -> error(op, e.getKey(), "op[" + e.getKey() + "]",
                    "op keys must be (name, type) tuples of two strings, found " + ConfigValues.describe(e.getKey())));
            String path = "op[" + key + "]";
            if (out.containsKey(key)) {
                throw error(op, e.getKey(), path, "listed twice");
            }
            out.put(key, opConfig(op, e.getKey(), e.getValue(), path));
        }
        return out;
    }

    private OpConfig opConfig(Map<?, ?> op, Object rawKey, Object value, String path) throws CheckpointFormatException {
        if (!(value instanceof Map<?, ?> m)) {
            throw error(op, rawKey, path, "expected a mapping {weight, activation}, found " + ConfigValues.describe(value));
        }
        EntryProblem p = OpConfig.problem(m);
        if (p != null) {
            throw error(m, p.key(), path + "." + p.key(), p.message());
        }
        Map<String, Object> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String key = (String) e.getKey();
            boolean tensor = key.equals(OpConfig.WEIGHT) || key.equals(OpConfig.ACTIVATION);
            entries.put(key, tensor ? tensorConfig(m, key, (Map<?, ?>) e.getValue(), path + "." + key) : e.getValue());
        }
        return build(() -> new OpConfig(entries), m, path);
    }

    @SuppressWarnings("unchecked")
    private TensorConfig tensorConfig(Map<?, ?> parent, String key, Map<?, ?> m, String path) throws CheckpointFormatException {
        EntryProblem p = TensorConfig.problem(m);
        if (p != null) {
            throw error(m.containsKey(p.key()) ? m : parent, m.containsKey(p.key()) ? p.key() : key,
                    path + "." + p.key(), p.message());
        }
        return build(() -> new TensorConfig((Map<String, Object>) m), m, path);
    }

    private interface Builder<T> {
        T build();
    }

    /** Builds a record whose remaining check (config data everywhere) can only fail for a pickle. */
    private <T> T build(Builder<T> builder, Map<?, ?> m, String path) throws CheckpointFormatException {
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw error(m, null, path, e.getMessage());
        }
    }

    private CheckpointFormatException error(Object container, Object key, String path, String reason) {
        Integer line = container == null ? null : lines.line(container, key);
        String where = (line == null ? "" : "line " + line + ": ") + (path.isEmpty() ? "" : path + ": ");
        return new CheckpointFormatException(source, where + reason);
    }
}
