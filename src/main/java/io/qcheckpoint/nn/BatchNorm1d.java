package io.qcheckpoint.nn;

import ai.djl.ndarray.types.Shape;

/** Batch normalization of [N, C] or [N, C, L] inputs, as torch's {@code nn.BatchNorm1d}. */
public class BatchNorm1d extends BatchNorm {
    /**
     * Creates the layer with torch's defaults: eps 1e-5, momentum 0.1, affine, tracking running stats.
     *
     * @param numFeatures the number of channels
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5, 0.1, true, true);
    }

    /**
     * Creates the layer.
     *
     * @param numFeatures the number of channels
     * @param eps added to the variance
     * @param momentum the running stats' update factor, or null for the cumulative average
     * @param affine whether the layer has {@code weight} and {@code bias}
     * @param trackRunningStats whether the layer keeps running stats
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    public BatchNorm1d(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkInputDim(Shape shape) {
        requireRank(shape, 2, 3);
    }
}
