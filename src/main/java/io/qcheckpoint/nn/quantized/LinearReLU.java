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

    @Override
    protected boolean fusedRelu() {
        return true;
    }
}
