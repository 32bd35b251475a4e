package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * Dropout, as torch's {@code nn.Dropout}: the identity in eval mode (float or quantized input); in
 * training mode libtorch's dropout (through DJL) zeroes each element with probability {@code p}
 * and scales the rest by {@code 1 / (1 - p)}.
 */
public class Dropout extends Module {
    private final double p;

    /** Creates the module with torch's default {@code p = 0.5}. */
    public Dropout() {
        this(0.5);
    }

    /**
     * Creates the module.
     *
     * @param p the probability of zeroing an element, in [0, 1]
     * @throws IllegalArgumentException if {@code p} is outside [0, 1]
     */
    public Dropout(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
    }

    /** Returns the probability of zeroing an element. */
    public double p() {
        return p;
    }

    /**
     * Applies dropout in training mode; returns the input itself in eval mode.
     *
     * @param input a tensor (float in training mode)
     * @return the output, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        if (!isTraining()) {
            return input;
        }
        return input.getNDArrayInternal().dropout(input, (float) p, true).singletonOrThrow();
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
