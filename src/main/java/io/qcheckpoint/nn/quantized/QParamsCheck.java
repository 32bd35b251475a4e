package io.qcheckpoint.nn.quantized;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.Tensor;
import java.util.Map;

/**
 * Checks the qparams a checkpoint gives: every scale positive and finite, every zero point inside
 * its dtype's range, one of each per channel. libtorch takes a NaN or zero per-channel scale
 * without a word and computes wrong outputs; a zero point out of range fails deep in a kernel.
 */
final class QParamsCheck {
    /** The zero points each quantized dtype can hold: its integer range. */
    private static final Map<DType, long[]> RANGES = Map.of(DType.QINT8, new long[] {-128, 127}, DType.QUINT8,
            new long[] {0, 255}, DType.QINT32, new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE});

    private QParamsCheck() {
    }

    /**
     * Returns what is wrong with a quantized tensor's qparams.
     *
     * @param w a quantized tensor from a state dict
     * @return the problem ("per-channel scale 1 is NaN, expected ..."), or null when they are fine
     */
    static String problem(Tensor w) {
        Quantization q = w.quantization();
        if (q instanceof Quantization.PerTensor pt) {
            String s = scale("scale", pt.scale());
            return s != null ? s : zeroPoint("zero point", pt.zeroPoint(), w.dtype());
        }
        if (!(q instanceof Quantization.PerChannel pc)) {
            return null;
        }
        long channels = pc.axis() >= 0 && pc.axis() < w.dim() ? w.shape()[pc.axis()] : -1;
        if (pc.scales().numel() != channels || pc.zeroPoints().numel() != channels) {
            return "has " + pc.scales().numel() + " per-channel scales and " + pc.zeroPoints().numel()
                    + " zero points for " + channels + " channels (axis " + pc.axis() + ")";
        }
        double[] scales = pc.scales().toDoubleArray();
        long[] zeroPoints = pc.zeroPoints().toLongArray();
        for (int i = 0; i < scales.length; i++) {
            String p = scale("per-channel scale " + i, scales[i]);
            p = p != null ? p : zeroPoint("per-channel zero point " + i, zeroPoints[i], w.dtype());
            if (p != null) {
                return p;
            }
        }
        return null;
    }

    /**
     * Returns what is wrong with a scale, or null.
     *
     * @param what its name in the message
     * @param scale the scale
     * @return e.g. "scale is NaN, expected a positive finite number"
     */
    static String scale(String what, double scale) {
        return scale > 0 && !Double.isInfinite(scale) ? null : what + " is " + scale + ", expected a positive finite number";
    }

    /**
     * Returns what is wrong with a zero point of {@code dtype}, or null.
     *
     * @param what its name in the message
     * @param zeroPoint the zero point
     * @param dtype the quantized dtype it belongs to
     * @return e.g. "zero point is 1000, expected -128 to 127 (qint8)"
     */
    static String zeroPoint(String what, long zeroPoint, DType dtype) {
        long[] range = RANGES.get(dtype);
        return range == null || zeroPoint >= range[0] && zeroPoint <= range[1] ? null
                : what + " is " + zeroPoint + ", expected " + range[0] + " to " + range[1] + " (" + dtype.torchName() + ")";
    }
}
