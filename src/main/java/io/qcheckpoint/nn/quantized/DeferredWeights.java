package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The weights convert gives a quantized convolution or linear layer before anything has quantized
 * them: they are quantized and packed the first time the module needs them (forward, state dict,
 * unpacking), unless a state dict replaces them first, as in LPOT's load, where every weight comes
 * from the checkpoint and convert's would be thrown away. The result is the same either way; only
 * the work is saved.
 */
public interface DeferredWeights extends AutoCloseable {
    /** Returns the shape the quantized weight will have. */
    long[] shape();

    /**
     * Quantizes the weights.
     *
     * @param manager the owner of the returned arrays
     * @return the quantized weight and the float32 bias (null when there is none)
     */
    NDArray[] weightBias(NDManager manager);

    /** Returns an independent copy, for {@link io.qcheckpoint.nn.Module#copy}. */
    DeferredWeights copy();

    /** Frees what the weights hold. */
    @Override
    void close();
}
