package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;

/**
 * Quantized dropout, as torch's {@code nn.quantized.Dropout} (what convert makes of an
 * {@code nn.Dropout}): returns its input, quantized or float, in training and eval mode alike. No
 * state.
 */
public class Dropout extends io.qcheckpoint.nn.Dropout {
    /**
     * Creates the module, as torch's {@code from_float} keeps the float module's {@code p}.
     *
     * @param p the probability the float module had, in [0, 1]
     * @throws IllegalArgumentException if {@code p} is outside [0, 1]
     */
    public Dropout(double p) {
        super(p);
    }

    /**
     * Returns the input itself.
     *
     * @param input a tensor
     * @return {@code input}
     */
    @Override
    public NDArray forward(NDArray input) {
        return input;
    }
}
