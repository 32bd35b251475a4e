package io.qcheckpoint.quantization;

/**
 * Quantization parameters an {@link Observer} computed: torch's {@code (scale, zero_point)} tensors.
 *
 * @param scales float32 scales: one for a per-tensor observer, one per channel otherwise
 * @param zeroPoints the zero points, as many as scales
 * @param axis the channel dimension, or -1 for per-tensor parameters
 */
public record ObservedQParams(float[] scales, long[] zeroPoints, int axis) {
    // equals/hashCode stay the record's (array identity): these are results, not keys
    /** Checks and copies the arrays. */
    public ObservedQParams {
        if (scales.length != zeroPoints.length) {
            throw new IllegalArgumentException(scales.length + " scales but " + zeroPoints.length + " zero points");
        }
        scales = scales.clone();
        zeroPoints = zeroPoints.clone();
    }

    /** Returns a copy of the scales. */
    @Override
    public float[] scales() {
        return scales.clone();
    }

    /** Returns a copy of the zero points. */
    @Override
    public long[] zeroPoints() {
        return zeroPoints.clone();
    }

    /** Returns the per-tensor scale. */
    public float scale() {
        return scales[0];
    }

    /** Returns the per-tensor zero point. */
    public long zeroPoint() {
        return zeroPoints[0];
    }
}
