package io.qcheckpoint.config;

import java.util.Optional;

/**
 * A tensor's quantization scheme in the tune config ({@code scheme}).
 *
 * <p>The config keeps the text as read; this enum is a view of it. A value LPOT did not write
 * ({@link #parse} gives empty) is kept, listed by {@link TuneConfig#unrecognizedValues()}, and left
 * to the layer that needs it to refuse.
 */
public enum Scheme implements ConfigValue {
    /** Symmetric: zero point 0 (per_tensor_symmetric / per_channel_symmetric). */
    SYM("sym"),
    /** Affine (per_tensor_affine / per_channel_affine). */
    ASYM("asym"),
    /** Affine with float zero points (per_channel_affine_float_qparams, quantized Embedding). */
    ASYM_FLOAT("asym_float");

    private final String value;

    Scheme(String value) {
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
    public static Optional<Scheme> parse(String text) {
        return ConfigValue.parse(Scheme.class, text);
    }
}
