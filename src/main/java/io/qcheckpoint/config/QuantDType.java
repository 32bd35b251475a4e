package io.qcheckpoint.config;

import java.util.Optional;

/**
 * A tensor's data type in the tune config ({@code dtype} of a weight or activation).
 *
 * <p>The config keeps the text as read; this enum is a view of it. A value LPOT did not write
 * ({@link #parse} gives empty) is kept, listed by {@link TuneConfig#unrecognizedValues()}, and left
 * to the layer that needs it to refuse.
 */
public enum QuantDType implements ConfigValue {
    /** Signed 8-bit (torch.qint8). */
    INT8("int8"),
    /** Unsigned 8-bit (torch.quint8). */
    UINT8("uint8"),
    /** Not quantized: the op falls back to float32. */
    FP32("fp32"),
    /** Runs in bfloat16. */
    BF16("bf16");

    private final String value;

    QuantDType(String value) {
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
    public static Optional<QuantDType> parse(String text) {
        return ConfigValue.parse(QuantDType.class, text);
    }
}
