package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;

/**
 * An LPOT / Neural Compressor tune config ({@code best_configure.yaml}, or the
 * {@code best_configure} entry of INC 1.11+'s {@code best_model.pt}): FORMATS.md 3.2.
 *
 * <p>Besides the keys it names, every other top-level key ({@code advance},
 * {@code calib_sampling_size}, {@code reduce_range}, {@code bf16_ops_list}, {@code recipe_cfgs},
 * whatever a later version adds) is kept with its value, so that nothing read is lost when the
 * config is written again. Values there are config data: null, Boolean, Long (BigInteger past 64
 * bits), Double, String, {@link java.util.List}, {@link io.qcheckpoint.pt.Tuple}, and ordered maps
 * of them.
 *
 * <p>Unknown enumeration values (an approach, dtype, scheme... LPOT does not write) are kept as
 * text; {@link #unrecognizedValues()} lists them, and the layers that act on them decide.
 *
 * @param approach the quantization approach ({@code approach}), e.g. {@code post_training_static_quant}
 * @param framework the framework ({@code framework}), {@code pytorch} for eager; empty when the
 *     file has no such key
 * @param calibIteration the number of calibration batches ({@code calib_iteration}), if present
 * @param ops the {@code op} map in model order; copied, unmodifiable
 * @param others every other top-level key and its value; copied, unmodifiable
 */
public record TuneConfig(String approach, Optional<String> framework, OptionalLong calibIteration,
        Map<OpKey, OpConfig> ops, Map<String, Object> others) {
    /** The top-level key of the approach. */
    public static final String APPROACH = "approach";
    /** The top-level key of the framework. */
    public static final String FRAMEWORK = "framework";
    /** The top-level key of the calibration iteration count. */
    public static final String CALIB_ITERATION = "calib_iteration";
    /** The top-level key of the op map. */
    public static final String OP = "op";
    private static final Set<String> KNOWN = Set.of(APPROACH, FRAMEWORK, CALIB_ITERATION, OP);
    private static final Set<String> FRAMEWORKS = Set.of("pytorch", "pytorch_fx", "pytorch_ipex");

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code others} repeats a named key or holds a value that
     *     is not config data
     */
    public TuneConfig {
        Objects.requireNonNull(approach, APPROACH);
        Objects.requireNonNull(framework, FRAMEWORK);
        Objects.requireNonNull(calibIteration, CALIB_ITERATION);
        Map<OpKey, OpConfig> opCopy = new LinkedHashMap<>();
        ops.forEach((k, v) -> opCopy.put(Objects.requireNonNull(k, "op key"), Objects.requireNonNull(v, "op config")));
        ops = Collections.unmodifiableMap(opCopy);
        Map<String, Object> otherCopy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : others.entrySet()) {
            if (KNOWN.contains(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + " is a component of TuneConfig, not one of its others");
            }
            otherCopy.put(Objects.requireNonNull(e.getKey(), "key"), ConfigValues.copy(e.getValue(), e.getKey()));
        }
        others = Collections.unmodifiableMap(otherCopy);
    }

    /**
     * Returns the config LPOT v1.5 writes for an eager PyTorch model: {@code advance: null},
     * {@code approach}, {@code calib_iteration}, {@code framework: pytorch}, {@code op}.
     *
     * @param approach the approach
     * @param calibIteration the number of calibration batches
     * @param ops the op map, in model order
     * @return the config
     */
    public static TuneConfig lpot(Approach approach, long calibIteration, Map<OpKey, OpConfig> ops) {
        Map<String, Object> others = new LinkedHashMap<>();
        others.put("advance", null);
        return new TuneConfig(approach.value(), Optional.of("pytorch"), OptionalLong.of(calibIteration), ops, others);
    }

    /**
     * Builds a config from an already-parsed map: the {@code best_configure} entry of a pickled
     * {@code best_model.pt} (dicts or DotDicts read as maps, op keys as {@link io.qcheckpoint.pt.Tuple}s),
     * or any map of the same shape.
     *
     * @param map the config
     * @param source the file it came from, for messages
     * @return the config
     * @throws CheckpointFormatException if the map is not a tune config: the message names the key
     *     path (e.g. {@code op[(conv, Conv2d)].weight.dtype}) and what was expected
     */
    public static TuneConfig fromMap(Map<?, ?> map, String source) throws CheckpointFormatException {
        return new TuneConfigParser(source, SourceLines.NONE).parse(map);
    }

    /** Returns the approach, or empty for one LPOT does not write. */
    public Optional<Approach> approachKind() {
        return Approach.parse(approach);
    }

    /**
     * Returns a copy with one top-level key (other than the named ones) set.
     *
     * @param key the key
     * @param value its value (config data)
     * @return the new config
     * @throws IllegalArgumentException as the constructor does
     */
    public TuneConfig withOther(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(others);
        m.put(key, value);
        return new TuneConfig(approach, framework, calibIteration, ops, m);
    }

    /**
     * Returns a copy with another op map.
     *
     * @param newOps the op map, in model order
     * @return the new config
     */
    public TuneConfig withOps(Map<OpKey, OpConfig> newOps) {
        return new TuneConfig(approach, framework, calibIteration, newOps, others);
    }

    /**
     * Returns the config as Python data, as LPOT holds it before dumping: a map with its top-level
     * keys sorted (the order PyYAML writes them in), op keys as {@link io.qcheckpoint.pt.Tuple}s,
     * per-op and per-tensor maps in order. Unmodifiable.
     *
     * @return the map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> top = new TreeMap<>(ConfigOrder::compareStrings);
        top.putAll(others);
        top.put(APPROACH, approach);
        framework.ifPresent(f -> top.put(FRAMEWORK, f));
        calibIteration.ifPresent(n -> top.put(CALIB_ITERATION, n));
        Map<Object, Object> op = new LinkedHashMap<>();
        ops.forEach((k, v) -> op.put(k.toTuple(), v.toMap()));
        top.put(OP, Collections.unmodifiableMap(op));
        return Collections.unmodifiableMap(new LinkedHashMap<>(top));
    }

    /**
     * Lists the values LPOT does not write, each as {@code path: value}: an unknown approach or
     * framework, a tensor's dtype, scheme, granularity or algorithm outside the enums. Reading keeps
     * them; this is how a caller finds out.
     *
     * @return the list, empty when everything is known
     */
    public List<String> unrecognizedValues() {
        List<String> out = new ArrayList<>();
        if (approachKind().isEmpty()) {
            out.add(APPROACH + ": " + approach);
        }
        framework.filter(f -> !FRAMEWORKS.contains(f)).ifPresent(f -> out.add(FRAMEWORK + ": " + f));
        ops.forEach((key, op) -> {
            op.weight().ifPresent(t -> unrecognized(out, "op" + "[" + key + "]." + OpConfig.WEIGHT, t));
            unrecognized(out, "op" + "[" + key + "]." + OpConfig.ACTIVATION, op.activation());
        });
        return out;
    }

    private static void unrecognized(List<String> out, String path, TensorConfig t) {
        if (t.dtypeKind().isEmpty()) {
            out.add(path + "." + TensorConfig.DTYPE + ": " + t.dtype());
        }
        t.scheme().filter(s -> Scheme.parse(s).isEmpty()).ifPresent(s -> out.add(path + "." + TensorConfig.SCHEME + ": " + s));
        t.granularity().filter(s -> Granularity.parse(s).isEmpty())
                .ifPresent(s -> out.add(path + "." + TensorConfig.GRANULARITY + ": " + s));
        t.algorithm().filter(s -> Algorithm.parse(s).isEmpty())
                .ifPresent(s -> out.add(path + "." + TensorConfig.ALGORITHM + ": " + s));
    }
}
