package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;

/**
 * Records statistics of the tensors it sees and turns them into quantization parameters, as torch's
 * observers ({@code torch/ao/quantization/observer.py}) do, with their exact formulas.
 */
public interface Observer {
    /**
     * Records one tensor.
     *
     * @param values the elements in row-major order
     * @param shape the tensor's shape
     */
    void observe(float[] values, long[] shape);

    /**
     * Records one float32 NDArray.
     *
     * @param x the tensor
     */
    default void observe(NDArray x) {
        observe(x.toFloatArray(), x.getShape().getShape());
    }

    /**
     * Returns the quantization parameters for what was observed, as torch's {@code calculate_qparams()}.
     *
     * @return the scales and zero points (one each per tensor, or one per channel)
     * @throws UnsupportedOperationException for observers that compute none (placeholders)
     */
    ObservedQParams calculateQParams();
}
