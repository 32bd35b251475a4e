package io.qcheckpoint.config;

import java.util.Optional;

/**
 * Whether a tensor has one scale or one per output channel ({@code granularity}).
 *
 * <p>The config keeps the text as read; this enum is a view of it. A value LPOT did not write
 * ({@link #parse} gives empty) is kept, listed by {@link TuneConfig#unrecognizedValues()}, and left
 * to the layer that needs it to refuse.
 */
public enum Granularity implements ConfigValue {
    /** One scale and zero point per output channel. */
    PER_CHANNEL("per_channel"),
    /** One scale and zero point for the whole tensor. */
    PER_TENSOR("per_tensor");

    private final String value;

    Granularity(String value) {
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
    public static Optional<Granularity> parse(String text) {
        return ConfigValue.parse(Granularity.class, text);
    }
}
