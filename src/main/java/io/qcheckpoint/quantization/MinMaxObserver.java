package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/**
 * torch's {@code MinMaxObserver}: the running minimum and maximum of every tensor seen; or, with an
 * averaging constant, {@code MovingAverageMinMaxObserver}: {@code min += c * (batch_min - min)}
 * after the first batch.
 */
public class MinMaxObserver extends UniformObserver {
    private final float averagingConstant;
    private float min = Float.POSITIVE_INFINITY;
    private float max = Float.NEGATIVE_INFINITY;

    /**
     * Creates torch's {@code MinMaxObserver(dtype, qscheme, reduce_range)}.
     *
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme {@link QScheme#PER_TENSOR_AFFINE} or {@link QScheme#PER_TENSOR_SYMMETRIC}
     * @param reduceRange whether the range is halved
     */
    public MinMaxObserver(DType dtype, QScheme qscheme, boolean reduceRange) {
        this(dtype, qscheme, reduceRange, Float.NaN);
    }

    /** Creates the observer, a moving average one when {@code averagingConstant} is a number. */
    MinMaxObserver(DType dtype, QScheme qscheme, boolean reduceRange, float averagingConstant) {
        super(dtype, qscheme, reduceRange);
        requireReducibleRange(dtype, qscheme, reduceRange);
        if (qscheme != QScheme.PER_TENSOR_AFFINE && qscheme != QScheme.PER_TENSOR_SYMMETRIC) {
            throw new IllegalArgumentException("a per-tensor observer needs a per-tensor qscheme, not " + qscheme);
        }
        this.averagingConstant = averagingConstant;
    }

    @Override
    public void observe(float[] values, long[] shape) {
        if (values.length == 0) {
            return;
        }
        float lo = Float.POSITIVE_INFINITY;
        float hi = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        boolean first = min == Float.POSITIVE_INFINITY && max == Float.NEGATIVE_INFINITY;
        if (Float.isNaN(averagingConstant) || first) {
            min = Float.isNaN(averagingConstant) ? Math.min(min, lo) : lo;
            max = Float.isNaN(averagingConstant) ? Math.max(max, hi) : hi;
        } else {
            min = min + averagingConstant * (lo - min);
            max = max + averagingConstant * (hi - max);
        }
    }

    @Override
    public ObservedQParams calculateQParams() {
        return qparams(new float[] {min}, new float[] {max}, -1);
    }
}
