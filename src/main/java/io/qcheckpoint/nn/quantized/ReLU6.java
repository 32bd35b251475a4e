package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.Module;

/** Quantized relu6, as torch's {@code nn.quantized.ReLU6}: clamps to [0, 6] in the input's qparams. No state. */
public class ReLU6 extends Module {
    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.relu6(input);
    }
}
