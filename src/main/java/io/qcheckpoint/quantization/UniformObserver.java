package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/**
 * What torch's {@code UniformQuantizationObserverBase} shares: the quantized range
 * ({@code _calculate_qmin_qmax}, halved by {@code reduce_range}) and the qparams formula
 * ({@code _calculate_qparams}), computed in float32 as torch computes it.
 */
abstract class UniformObserver implements Observer {
    /** torch.finfo(torch.float32).eps, the smallest scale. */
    static final float EPS = Math.ulp(1.0f);

    private final DType dtype;
    private final QScheme qscheme;
    private final int quantMin;
    private final int quantMax;

    UniformObserver(DType dtype, QScheme qscheme, boolean reduceRange) {
        if (dtype != DType.QUINT8 && dtype != DType.QINT8) {
            throw new IllegalArgumentException("observers quantize to quint8 or qint8, not " + dtype);
        }
        if (qscheme == QScheme.PER_CHANNEL_AFFINE_FLOAT_QPARAMS) {
            throw new IllegalArgumentException("float qparams (quantized embeddings) are not supported");
        }
        this.dtype = dtype;
        this.qscheme = qscheme;
        boolean signed = dtype == DType.QINT8;
        this.quantMin = signed ? (reduceRange ? -64 : -128) : 0;
        this.quantMax = signed ? (reduceRange ? 63 : 127) : (reduceRange ? 127 : 255);
    }

    /**
     * The check torch's min-max observers (not the histogram one) make: a halved symmetric quint8
     * range is refused.
     */
    static void requireReducibleRange(DType dtype, QScheme qscheme, boolean reduceRange) {
        boolean symmetric = qscheme == QScheme.PER_TENSOR_SYMMETRIC || qscheme == QScheme.PER_CHANNEL_SYMMETRIC;
        if (symmetric && reduceRange && dtype == DType.QUINT8) {
            throw new IllegalArgumentException("Cannot reduce range for symmetric quantization for quint8 (as torch)");
        }
    }

    /** torch's {@code _calculate_qparams(min_val, max_val)}, element by element. */
    ObservedQParams qparams(float[] min, float[] max, int axis) {
        float[] scales = new float[min.length];
        long[] zeroPoints = new long[min.length];
        boolean empty = min.length == 0 || min[0] == Float.POSITIVE_INFINITY && max[0] == Float.NEGATIVE_INFINITY;
        if (empty) {
            return new ObservedQParams(new float[] {1f}, new long[] {0}, -1);
        }
        for (int i = 0; i < min.length; i++) {
            float minNeg = Math.min(min[i], 0f);
            float maxPos = Math.max(max[i], 0f);
            if (qscheme == QScheme.PER_TENSOR_SYMMETRIC || qscheme == QScheme.PER_CHANNEL_SYMMETRIC) {
                maxPos = Math.max(-minNeg, maxPos);
                scales[i] = Math.max(maxPos / (float) ((quantMax - quantMin) / 2.0), EPS);
                zeroPoints[i] = dtype == DType.QUINT8 ? 128 : 0;
            } else {
                scales[i] = Math.max((maxPos - minNeg) / (float) (quantMax - quantMin), EPS);
                long zp = quantMin - (long) Math.rint(minNeg / scales[i]);
                zeroPoints[i] = Math.max(quantMin, Math.min(quantMax, zp));
            }
        }
        return new ObservedQParams(scales, zeroPoints, axis);
    }
}
