package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.Module;

/** Dequantizes its input to float32, as torch's {@code nn.quantized.DeQuantize}. No state. */
public class DeQuantize extends Module {
    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.dequantize(input);
    }
}
