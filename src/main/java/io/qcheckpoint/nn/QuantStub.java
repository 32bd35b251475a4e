package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * Marks where quantization starts, as torch's {@code QuantStub}: the identity in a float model;
 * prepare gives it an observer and convert swaps it for a {@code Quantize}.
 */
public class QuantStub extends Module {
    /** Creates the stub. */
    public QuantStub() {
    }

    /**
     * Returns the input itself.
     *
     * @param input any tensor
     * @return the input
     */
    @Override
    public NDArray forward(NDArray input) {
        return input;
    }
}
