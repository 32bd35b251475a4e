package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/**
 * torch's {@code PerChannelMinMaxObserver}: a running minimum and maximum per slice along
 * {@code axis}; or, with an averaging constant, {@code MovingAveragePerChannelMinMaxObserver}.
 */
public class PerChannelMinMaxObserver extends UniformObserver {
    private final int axis;
    private final float averagingConstant;
    private float[] min = new float[0];
    private float[] max = new float[0];

    /**
     * Creates torch's {@code PerChannelMinMaxObserver(ch_axis, dtype, qscheme, reduce_range)}.
     *
     * @param axis the channel dimension (torch's default 0)
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme {@link QScheme#PER_CHANNEL_AFFINE} or {@link QScheme#PER_CHANNEL_SYMMETRIC}
     * @param reduceRange whether the range is halved
     */
    public PerChannelMinMaxObserver(int axis, DType dtype, QScheme qscheme, boolean reduceRange) {
        this(axis, dtype, qscheme, reduceRange, Float.NaN);
    }

    /** Creates the observer, a moving average one when {@code averagingConstant} is a number. */
    PerChannelMinMaxObserver(int axis, DType dtype, QScheme qscheme, boolean reduceRange, float averagingConstant) {
        super(dtype, qscheme, reduceRange);
        requireReducibleRange(dtype, qscheme, reduceRange);
        if (qscheme != QScheme.PER_CHANNEL_AFFINE && qscheme != QScheme.PER_CHANNEL_SYMMETRIC) {
            throw new IllegalArgumentException("a per-channel observer needs a per-channel qscheme, not " + qscheme);
        }
        this.axis = axis;
        this.averagingConstant = averagingConstant;
    }

    @Override
    public void observe(float[] values, long[] shape) {
        if (values.length == 0) {
            return;
        }
        int channels = Math.toIntExact(shape[axis]);
        long inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        float[] lo = new float[channels];
        float[] hi = new float[channels];
        java.util.Arrays.fill(lo, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(hi, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < values.length; i++) {
            int c = (int) ((i / inner) % channels);
            lo[c] = Math.min(lo[c], values[i]);
            hi[c] = Math.max(hi[c], values[i]);
        }
        if (min.length == 0) {
            min = lo;
            max = hi;
            return;
        }
        for (int c = 0; c < channels; c++) {
            if (Float.isNaN(averagingConstant)) {
                min[c] = Math.min(min[c], lo[c]);
                max[c] = Math.max(max[c], hi[c]);
            } else {
                min[c] = min[c] + averagingConstant * (lo[c] - min[c]);
                max[c] = max[c] + averagingConstant * (hi[c] - max[c]);
            }
        }
    }

    @Override
    public ObservedQParams calculateQParams() {
        return qparams(min, max, axis);
    }
}
