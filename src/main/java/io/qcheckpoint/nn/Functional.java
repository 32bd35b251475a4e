package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * The tensor operations a model routes through a module so that quantization can observe and
 * replace them: implemented by {@code FloatFunctional} (float) and {@code QFunctional} (int8), so
 * the same {@code forward} runs before and after convert.
 */
public interface Functional {
    /** Returns {@code a + b}. */
    NDArray add(NDArray a, NDArray b);

    /** Returns {@code relu(a + b)}. */
    NDArray addRelu(NDArray a, NDArray b);

    /** Returns {@code a * b}. */
    NDArray mul(NDArray a, NDArray b);

    /** Returns the tensors concatenated along {@code dim}. */
    NDArray cat(NDArray[] xs, int dim);

    /** Returns {@code a + b} for a scalar {@code b}. */
    NDArray addScalar(NDArray a, double b);

    /** Returns {@code a * b} for a scalar {@code b}. */
    NDArray mulScalar(NDArray a, double b);
}
