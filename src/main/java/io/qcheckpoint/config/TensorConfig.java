package io.qcheckpoint.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How one tensor of an op (its weight or its activation) is quantized: the mapping
 * {@code {dtype, scheme, granularity, algorithm[, bit]}} of the tune config, with any other keys
 * (INC's {@code compute_dtype}, {@code quant_mode}, {@code scale}, {@code zero_point}; leftovers
 * beside {@code dtype: fp32}) kept, all in the file's order, so that it is written back as read.
 *
 * <p>Only {@code dtype} is required. {@code scheme}, {@code granularity} and {@code algorithm} are
 * strings when present, {@code bit} a number (LPOT writes {@code 7.0}); other values are any config
 * data ({@link TuneConfig}). Values LPOT does not write are kept (see {@link #dtypeKind()}).
 *
 * @param entries the mapping, in order; copied, unmodifiable
 */
public record TensorConfig(Map<String, Object> entries) {
    /** The key of the data type. */
    public static final String DTYPE = "dtype";
    /** The key of the scheme. */
    public static final String SCHEME = "scheme";
    /** The key of the granularity. */
    public static final String GRANULARITY = "granularity";
    /** The key of the calibration algorithm. */
    public static final String ALGORITHM = "algorithm";
    /** The key of the bit width (LPOT writes {@code 7.0} for int8 weights, reduce-range style). */
    public static final String BIT = "bit";
    private static final Set<String> STRING_KEYS = Set.of(DTYPE, SCHEME, GRANULARITY, ALGORITHM);

    /**
     * Checks and copies the entries.
     *
     * @throws IllegalArgumentException if {@code dtype} is missing, a known key has the wrong type,
     *     or a value is not config data
     */
    public TensorConfig {
        EntryProblem p = problem(entries);
        if (p != null) {
            throw new IllegalArgumentException(p.toString());
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        entries.forEach((k, v) -> copy.put(k, ConfigValues.copy(v, k)));
        entries = Collections.unmodifiableMap(copy);
    }

    /** Returns what is wrong with {@code entries} as a tensor config, or null. */
    static EntryProblem problem(Map<?, ?> entries) {
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                return new EntryProblem(e.getKey(), "keys must be strings, found " + ConfigValues.describe(e.getKey()));
            }
            Object v = e.getValue();
            if (STRING_KEYS.contains(key) && !(v instanceof String)) {
                return new EntryProblem(key, "expected a str, found " + ConfigValues.describe(v));
            }
            if (key.equals(BIT) && !(v instanceof Number) ) {
                return new EntryProblem(key, "expected an int or a float, found " + ConfigValues.describe(v));
            }
        }
        return entries.containsKey(DTYPE) ? null : new EntryProblem(DTYPE, "missing (LPOT reads it for every tensor)");
    }

    /**
     * Returns the config LPOT writes for a quantized tensor: {@code dtype, scheme, granularity, algorithm}.
     *
     * @param dtype the data type
     * @param scheme the scheme
     * @param granularity the granularity
     * @param algorithm the calibration algorithm
     * @return the config
     */
    public static TensorConfig of(QuantDType dtype, Scheme scheme, Granularity granularity, Algorithm algorithm) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(DTYPE, dtype.value());
        m.put(SCHEME, scheme.value());
        m.put(GRANULARITY, granularity.value());
        m.put(ALGORITHM, algorithm.value());
        return new TensorConfig(m);
    }

    /** Returns {@code {dtype: fp32}}, LPOT's marker for a tensor left in float32. */
    public static TensorConfig fp32() {
        return new TensorConfig(Map.of(DTYPE, QuantDType.FP32.value()));
    }

    /**
     * Returns a copy with {@code key} set to {@code value}: in its place when present, else last.
     *
     * @param key the key
     * @param value the value (config data)
     * @return the new config
     * @throws IllegalArgumentException as the constructor does
     */
    public TensorConfig with(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(entries);
        m.put(key, value);
        return new TensorConfig(m);
    }

    /** Returns the data type as written, e.g. {@code int8}. */
    public String dtype() {
        return (String) entries.get(DTYPE);
    }

    /** Returns the scheme as written, if present. */
    public Optional<String> scheme() {
        return Optional.ofNullable((String) entries.get(SCHEME));
    }

    /** Returns the granularity as written, if present. */
    public Optional<String> granularity() {
        return Optional.ofNullable((String) entries.get(GRANULARITY));
    }

    /** Returns the algorithm as written, if present. */
    public Optional<String> algorithm() {
        return Optional.ofNullable((String) entries.get(ALGORITHM));
    }

    /** Returns the bit width as written (Long or Double), if present. */
    public Optional<Number> bit() {
        return Optional.ofNullable((Number) entries.get(BIT));
    }

    /** Returns the data type, or empty for one LPOT does not write. */
    public Optional<QuantDType> dtypeKind() {
        return QuantDType.parse(dtype());
    }

    /** Returns the scheme, or empty when absent or one LPOT does not write. */
    public Optional<Scheme> schemeKind() {
        return scheme().flatMap(Scheme::parse);
    }

    /** Returns the granularity, or empty when absent or one LPOT does not write. */
    public Optional<Granularity> granularityKind() {
        return granularity().flatMap(Granularity::parse);
    }

    /** Returns the algorithm, or empty when absent or one LPOT does not write. */
    public Optional<Algorithm> algorithmKind() {
        return algorithm().flatMap(Algorithm::parse);
    }

    /** Returns whether the data type is {@code fp32}. */
    public boolean isFp32() {
        return QuantDType.FP32.value().equals(dtype());
    }
}
