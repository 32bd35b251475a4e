package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import java.util.Objects;

/**
 * Which observer a {@link QConfig} asks for, with its arguments: torch's
 * {@code Observer.with_args(dtype=..., qscheme=..., reduce_range=...)}.
 *
 * @param kind the observer class
 * @param dtype {@code QUINT8}, {@code QINT8}, or {@code FLOAT32}/{@code FLOAT16} for placeholders
 * @param qscheme the scheme
 * @param reduceRange whether the quantized range is halved (7 bits), as fbgemm wants for activations
 */
public record ObserverSpec(Kind kind, DType dtype, QScheme qscheme, boolean reduceRange) {
    /** torch's observer classes, by the names users know. */
    public enum Kind {
        /** {@code MinMaxObserver}. */
        MIN_MAX,
        /** {@code PerChannelMinMaxObserver}. */
        PER_CHANNEL_MIN_MAX,
        /** {@code MovingAverageMinMaxObserver}. */
        MOVING_AVERAGE_MIN_MAX,
        /** {@code MovingAveragePerChannelMinMaxObserver}. */
        MOVING_AVERAGE_PER_CHANNEL_MIN_MAX,
        /** {@code HistogramObserver} (LPOT's {@code kl}). */
        HISTOGRAM,
        /** {@code PlaceholderObserver}: records nothing; dynamic and fp16 quantization. */
        PLACEHOLDER
    }

    /** torch's default averaging constant of the moving-average observers. */
    public static final float AVERAGING_CONSTANT = 0.01f;

    /**
     * Creates the observer this spec describes (per-channel ones along axis 0, as torch's default).
     *
     * @return a fresh observer
     * @throws IllegalArgumentException for a dtype or scheme the observer does not support, as torch
     */
    public Observer create() {
        return switch (kind) {
            case MIN_MAX -> new MinMaxObserver(dtype, qscheme, reduceRange);
            case MOVING_AVERAGE_MIN_MAX -> new MovingAverageMinMaxObserver(dtype, qscheme, reduceRange, AVERAGING_CONSTANT);
            case PER_CHANNEL_MIN_MAX -> new PerChannelMinMaxObserver(0, dtype, qscheme, reduceRange);
            case MOVING_AVERAGE_PER_CHANNEL_MIN_MAX ->
                    new MovingAveragePerChannelMinMaxObserver(0, dtype, qscheme, reduceRange, AVERAGING_CONSTANT);
            case PLACEHOLDER -> new PlaceholderObserver();
            case HISTOGRAM -> new HistogramObserver(dtype, qscheme, reduceRange);
        };
    }

    /** Checks that nothing is null. */
    public ObserverSpec {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(qscheme, "qscheme");
    }
}
