package io.qcheckpoint.kernels;

import ai.djl.pytorch.jni.IValue;

/**
 * The scale and zero point of a quantized output, boxed once for libtorch so that a module's
 * forward does not box them on every call. Read-only, so safe to share between threads; the
 * owning module closes it.
 */
public final class QParams implements AutoCloseable {
    private final double scale;
    private final long zeroPoint;
    private final IValue boxedScale;
    private final IValue boxedZeroPoint;

    /**
     * Boxes {@code scale} and {@code zeroPoint}.
     *
     * @param scale the output scale, positive and finite
     * @param zeroPoint the output zero point
     * @throws IllegalArgumentException if the scale is not positive and finite
     */
    public QParams(double scale, long zeroPoint) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("a quantization scale must be positive and finite, not " + scale);
        }
        this.scale = scale;
        this.zeroPoint = zeroPoint;
        this.boxedScale = IValue.from(scale);
        this.boxedZeroPoint = IValue.from(zeroPoint);
    }

    /** Returns the scale. */
    public double scale() {
        return scale;
    }

    /** Returns the zero point. */
    public long zeroPoint() {
        return zeroPoint;
    }

    IValue boxedScale() {
        return boxedScale;
    }

    IValue boxedZeroPoint() {
        return boxedZeroPoint;
    }

    @Override
    public void close() {
        boxedScale.close();
        boxedZeroPoint.close();
    }

    @Override
    public String toString() {
        return "QParams[scale=" + scale + ", zeroPoint=" + zeroPoint + "]";
    }
}
