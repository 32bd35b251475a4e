package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;

/**
 * Quantized linear with relu fused into the kernel, as torch's {@code nn.intrinsic.quantized.LinearReLU};
 * state dict as {@link Linear}.
 */
public class LinearReLU extends Linear {
    /**
     * Creates the layer.
     *
     * @param weight the qint8 weight, [out, in]
     * @param bias the float32 bias, [out], or null
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public LinearReLU(NDArray weight, NDArray bias, double scale, long zeroPoint) {
        super(weight, bias, scale, zeroPoint);
    }

    /**
     * Creates the layer with qint8 weights to quantize and pack on first use.
     *
     * @param weights the weights, [out, in], now owned by this layer
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public LinearReLU(DeferredWeights weights, double scale, long zeroPoint) {
        super(weights, scale, zeroPoint);
    }

    @Override
    protected boolean fusedRelu() {
        return true;
    }
}
