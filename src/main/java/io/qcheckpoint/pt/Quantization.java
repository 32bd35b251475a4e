package io.qcheckpoint.pt;

import java.util.Objects;

/**
 * The quantization parameters of a quantized tensor, as {@code torch._utils._rebuild_qtensor}
 * receives them.
 */
public sealed interface Quantization permits Quantization.PerTensor, Quantization.PerChannel {

    /** Returns the scheme, as torch's {@code tensor.qscheme()} would. */
    QScheme scheme();

    /**
     * Per-tensor affine parameters: {@code real = (q - zeroPoint) * scale}.
     *
     * @param scale the scale
     * @param zeroPoint the zero point
     */
    record PerTensor(double scale, long zeroPoint) implements Quantization {
        @Override
        public QScheme scheme() {
            return QScheme.PER_TENSOR_AFFINE;
        }
    }

    /**
     * Per-channel parameters along {@code axis}. torch writes both per-channel schemes as
     * {@code per_channel_affine}: float64 scales with int64 zero points are affine, float scales
     * with float zero points are {@code per_channel_affine_float_qparams} (quantized embeddings).
     *
     * @param scales one scale per channel (a 1-d tensor)
     * @param zeroPoints one zero point per channel (a 1-d tensor)
     * @param axis the channel dimension
     */
    record PerChannel(Tensor scales, Tensor zeroPoints, int axis) implements Quantization {
        /** Checks that scales and zero points are 1-d tensors of one length. */
        public PerChannel {
            Objects.requireNonNull(scales, "scales");
            Objects.requireNonNull(zeroPoints, "zeroPoints");
            if (scales.dim() != 1 || zeroPoints.dim() != 1 || scales.numel() != zeroPoints.numel()) {
                throw new IllegalArgumentException("per-channel scales and zero points must be 1-d of one length");
            }
            if (axis < 0) {
                throw new IllegalArgumentException("negative axis " + axis);
            }
        }

        @Override
        public QScheme scheme() {
            DType zp = zeroPoints.dtype();
            return zp == DType.FLOAT32 || zp == DType.FLOAT64 || zp == DType.FLOAT16 || zp == DType.BFLOAT16
                    ? QScheme.PER_CHANNEL_AFFINE_FLOAT_QPARAMS : QScheme.PER_CHANNEL_AFFINE;
        }
    }
}
