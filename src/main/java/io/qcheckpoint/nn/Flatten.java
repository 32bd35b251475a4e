package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/** Flattens dimensions {@code startDim..endDim} into one, as torch's {@code nn.Flatten}; float or quantized input. */
public class Flatten extends Module {
    private final int startDim;
    private final int endDim;

    /** Creates the module with torch's defaults: {@code startDim = 1}, {@code endDim = -1}. */
    public Flatten() {
        this(1, -1);
    }

    /**
     * Creates the module.
     *
     * @param startDim the first dimension to flatten (negative counts from the end)
     * @param endDim the last dimension to flatten (negative counts from the end)
     */
    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    /**
     * Flattens the input.
     *
     * @param input any tensor
     * @return the output, owned by the input's manager
     * @throws ai.djl.engine.EngineException if a dimension is out of range
     */
    @Override
    public NDArray forward(NDArray input) {
        return input.flatten(startDim, endDim);
    }

    /** Returns the first dimension flattened. */
    public int startDim() {
        return startDim;
    }

    /** Returns the last dimension flattened. */
    public int endDim() {
        return endDim;
    }

    @Override
    public String toString() {
        return "Flatten(start_dim=" + startDim + ", end_dim=" + endDim + ")";
    }
}
