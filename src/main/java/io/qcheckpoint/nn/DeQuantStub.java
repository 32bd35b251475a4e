package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * Marks where quantization ends, as torch's {@code DeQuantStub}: the identity in a float model;
 * convert swaps it for a {@code DeQuantize}.
 */
public class DeQuantStub extends Module {
    /** Creates the stub. */
    public DeQuantStub() {
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
