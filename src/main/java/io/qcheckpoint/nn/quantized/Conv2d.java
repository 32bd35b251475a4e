package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.PackedParams;

/** Static quantized 2-d convolution, as torch's {@code nn.quantized.Conv2d}. */
public class Conv2d extends ConvNd {
    /**
     * Packs the weights with the geometry.
     *
     * @param weight the qint8 weight, [out, in / groups, kernel...]
     * @param bias the float32 bias, [out], or null
     * @param stride 2 value(s)
     * @param padding zero padding, 2 value(s)
     * @param dilation 2 value(s)
     * @param groups the number of groups
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public Conv2d(NDArray weight, NDArray bias, long[] stride, long[] padding, long[] dilation, long groups,
            double scale, long zeroPoint) {
        super(PackedParams.Kind.CONV2D, weight, bias, stride, padding, dilation, groups, scale, zeroPoint);
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
    public Conv2d(DeferredWeights weights, long[] stride, long[] padding, long[] dilation, long groups, double scale,
            long zeroPoint) {
        super(PackedParams.Kind.CONV2D, weights, stride, padding, dilation, groups, scale, zeroPoint);
    }
}
