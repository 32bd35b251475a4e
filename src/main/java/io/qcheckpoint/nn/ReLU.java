package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/** {@code max(x, 0)}, as torch's {@code nn.ReLU}; float or quantized input (libtorch's quantized relu). */
public class ReLU extends Module {
    /** Creates the module. */
    public ReLU() {
    }

    /**
     * Applies relu.
     *
     * @param input a float or quantized tensor
     * @return the output, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        return input.getNDArrayInternal().relu();
    }
}
