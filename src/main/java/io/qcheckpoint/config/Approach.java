package io.qcheckpoint.config;

import java.util.Optional;

/**
 * LPOT's quantization approach, the tune config's {@code approach}.
 *
 * <p>The config keeps the text as read; this enum is a view of it. A value LPOT did not write
 * ({@link #parse} gives empty) is kept, listed by {@link TuneConfig#unrecognizedValues()}, and left
 * to the layer that needs it to refuse.
 */
public enum Approach implements ConfigValue {
    /** Post-training static quantization: calibrated activation observers. */
    POST_TRAINING_STATIC_QUANT("post_training_static_quant"),
    /** Post-training dynamic quantization: weights ahead of time, activations on the fly. */
    POST_TRAINING_DYNAMIC_QUANT("post_training_dynamic_quant"),
    /** Quantization-aware training: rebuilt through the static path. */
    QUANT_AWARE_TRAINING("quant_aware_training");

    private final String value;

    Approach(String value) {
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
    public static Optional<Approach> parse(String text) {
        return ConfigValue.parse(Approach.class, text);
    }
}
