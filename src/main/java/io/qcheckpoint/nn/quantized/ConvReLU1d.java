package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;

/**
 * Quantized 1-d convolution with relu fused into the kernel, as torch's
 * {@code nn.intrinsic.quantized.ConvReLU1d}; state dict as {@link Conv1d}.
 */
public class ConvReLU1d extends Conv1d {
    /**
     * Packs the weights with the geometry.
     *
     * @param weight the qint8 weight
     * @param bias the float32 bias, or null
     * @param stride 1 value(s)
     * @param padding 1 value(s)
     * @param dilation 1 value(s)
     * @param groups the number of groups
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public ConvReLU1d(NDArray weight, NDArray bias, long[] stride, long[] padding, long[] dilation, long groups,
            double scale, long zeroPoint) {
        super(weight, bias, stride, padding, dilation, groups, scale, zeroPoint);
    }

    /**
     * Takes weights to quantize and pack on first use, with the geometry.
     *
     * @param weights the weights, now owned by this module
     * @param stride the stride
     * @param padding the zero padding
     * @param dilation the dilation
     * @param groups the number of groups
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public ConvReLU1d(DeferredWeights weights, long[] stride, long[] padding, long[] dilation, long groups, double scale,
            long zeroPoint) {
        super(weights, stride, padding, dilation, groups, scale, zeroPoint);
    }

    @Override
    protected boolean fusedRelu() {
        return true;
    }
}
