package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/** Returns its input, as torch's {@code nn.Identity}; fusion leaves one in place of each fused module but the first. */
public class Identity extends Module {
    /** Creates the module. */
    public Identity() {
    }

    /**
     * Returns the input itself, as torch does.
     *
     * @param input any tensor, float or quantized
     * @return the input
     */
    @Override
    public NDArray forward(NDArray input) {
        return input;
    }
}
