package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code min(max(x, 0), 6)}, as torch's {@code nn.ReLU6} ({@code hardtanh(x, 0, 6)}), for float
 * input. Quantized input needs libtorch's quantized relu6, which the quantized package's
 * {@code ReLU6} reaches through the op library; convert swaps this module for that one.
 */
public class ReLU6 extends Module {
    /** Creates the module. */
    public ReLU6() {
    }

    /**
     * Clamps to [0, 6].
     *
     * @param input a float tensor
     * @return the output, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        return input.clip(0f, 6f);
    }
}
