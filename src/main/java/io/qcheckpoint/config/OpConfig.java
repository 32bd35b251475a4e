package io.qcheckpoint.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The tune config of one op: {@code {weight: ..., activation: ...}} as {@link TensorConfig}s, and
 * any other keys kept, all in the file's order (LPOT writes {@code weight} first; an iLiT file
 * sorted them). QuantStub and other ops without weights have only {@code activation}.
 *
 * @param entries the mapping, in order; {@code weight} and {@code activation} hold
 *     {@link TensorConfig}s (given as maps, they are converted); copied, unmodifiable
 */
public record OpConfig(Map<String, Object> entries) {
    /** The key of the weight's config. */
    public static final String WEIGHT = "weight";
    /** The key of the activation's config. */
    public static final String ACTIVATION = "activation";

    /**
     * Checks and copies the entries.
     *
     * @throws IllegalArgumentException if {@code activation} is missing, {@code weight} or
     *     {@code activation} is not a tensor config, or a value is not config data
     */
    public OpConfig {
        EntryProblem p = problem(entries);
        if (p != null) {
            throw new IllegalArgumentException(p.toString());
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> copy.put(k, isTensorKey(k) ? tensor(v) : ConfigValues.copy(v, k)));
        entries = Collections.unmodifiableMap(copy);
    }

    /** Returns what is wrong with {@code entries} as an op config (not looking inside the tensors), or null. */
    static EntryProblem problem(Map<?, ?> entries) {
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                return new EntryProblem(e.getKey(), "keys must be strings, found " + ConfigValues.describe(e.getKey()));
            }
            if (isTensorKey(key) && !(e.getValue() instanceof TensorConfig || e.getValue() instanceof Map<?, ?>)) {
                return new EntryProblem(key, "expected a mapping, found " + ConfigValues.describe(e.getValue()));
            }
        }
        return entries.containsKey(ACTIVATION) ? null
                : new EntryProblem(ACTIVATION, "missing (LPOT asserts every op has one)");
    }

    private static boolean isTensorKey(Object key) {
        return WEIGHT.equals(key) || ACTIVATION.equals(key);
    }

    @SuppressWarnings("unchecked")
    private static TensorConfig tensor(Object v) {
        return v instanceof TensorConfig t ? t : new TensorConfig((Map<String, Object>) v);
    }

    /**
     * Returns {@code {weight, activation}} (or {@code {activation}} without a weight), as LPOT writes it.
     *
     * @param weight the weight's config, or null for an op without weights
     * @param activation the activation's config
     * @return the op config
     */
    public static OpConfig of(TensorConfig weight, TensorConfig activation) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (weight != null) {
            m.put(WEIGHT, weight);
        }
        m.put(ACTIVATION, activation);
        return new OpConfig(m);
    }

    /**
     * Returns LPOT's fp32 fallback: {@code {weight: {dtype: fp32}, activation: {dtype: fp32}}}, or
     * only the activation for an op without weights.
     *
     * @param hasWeight whether the op has a weight
     * @return the op config
     */
    public static OpConfig fp32(boolean hasWeight) {
        return of(hasWeight ? TensorConfig.fp32() : null, TensorConfig.fp32());
    }

    /** Returns the weight's config, if the op lists one. */
    public Optional<TensorConfig> weight() {
        return Optional.ofNullable((TensorConfig) entries.get(WEIGHT));
    }

    /** Returns the activation's config. */
    public TensorConfig activation() {
        return (TensorConfig) entries.get(ACTIVATION);
    }

    /**
     * Returns whether the op runs in fp32, by LPOT v1.9+'s rule: the weight's dtype decides when
     * there is a weight, else the activation's (FORMATS.md 3.3, point 3).
     */
    public boolean isFp32() {
        return weight().map(TensorConfig::isFp32).orElseGet(() -> activation().isFp32());
    }

    /** Returns the op config as Python data: ordered maps, the tensors' maps nested. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> m.put(k, v instanceof TensorConfig t ? t.entries() : v));
        return Collections.unmodifiableMap(m);
    }
}
