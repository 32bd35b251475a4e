package io.qcheckpoint.config;

import java.util.Optional;

/**
 * How a tensor's range is calibrated ({@code algorithm}).
 *
 * <p>The config keeps the text as read; this enum is a view of it. A value LPOT did not write
 * ({@link #parse} gives empty) is kept, listed by {@link TuneConfig#unrecognizedValues()}, and left
 * to the layer that needs it to refuse.
 */
public enum Algorithm implements ConfigValue {
    /** MinMax observers (per-channel or per-tensor). */
    MINMAX("minmax"),
    /** Histogram observer (KL divergence), per-tensor only. */
    KL("kl"),
    /** PlaceholderObserver: no calibration. */
    PLACEHOLDER("placeholder");

    private final String value;

    Algorithm(String value) {
        this.value = value;
    }

    /** Returns the spelling in the config file. */
    @Override
    public String value() {
        return value;
    }

    /**
     * Returns the constant spelled {@code text}.
     *
     * @param text the value from the file, may be null
     * @return the constant, or empty for a value LPOT does not write
     */
    public static Optional<Algorithm> parse(String text) {
        return ConfigValue.parse(Algorithm.class, text);
    }
}
