package io.qcheckpoint.nn.quantized.dynamic;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.pt.DType;

/**
 * Dynamic quantized linear with relu fused into the kernel, as torch's
 * {@code nn.intrinsic.quantized.dynamic.LinearReLU} (what dynamic convert makes of a fused
 * {@code LinearReLU}): {@code quantized::linear_relu_dynamic} with {@code reduce_range} always on,
 * whatever the state dict's version. qint8 weights only. State dict as {@link Linear}.
 */
public class LinearReLU extends Linear {
    /**
     * Creates the layer.
     *
     * @param weight the qint8 weight, [out, in]
     * @param bias the float32 bias, [out], or null
     */
    public LinearReLU(NDArray weight, NDArray bias) {
        super(DType.QINT8, weight, bias);
    }

    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.linearReluDynamic(input, packedParams().packed());
    }
}
