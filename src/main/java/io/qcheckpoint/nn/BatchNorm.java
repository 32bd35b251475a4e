package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Batch normalization over dimension 1, as torch's {@code nn.modules.batchnorm._BatchNorm}:
 * parameters {@code weight} (ones) and {@code bias} (zeros) when affine; buffers
 * {@code running_mean} (zeros), {@code running_var} (ones) and {@code num_batches_tracked} (int64,
 * 0-d) when tracking running stats; {@code _version} 2.
 *
 * <p>In training mode, or without running stats, it normalizes with the batch's statistics, and
 * (training with running stats) counts the batch and updates the running stats in place with
 * torch's momentum rule, the unbiased batch variance, and libtorch's own kernel. In eval mode it
 * uses the running stats and changes nothing.
 */
public abstract class BatchNorm extends Module {
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean affine;
    private final boolean trackRunningStats;

    /**
     * Creates the layer.
     *
     * @param numFeatures the number of channels (dimension 1 of the input)
     * @param eps added to the variance
     * @param momentum the running stats' update factor, or null for the cumulative average (torch's {@code None})
     * @param affine whether the layer has {@code weight} and {@code bias}
     * @param trackRunningStats whether the layer keeps running stats
     * @throws IllegalArgumentException if {@code numFeatures} is not positive
     */
    protected BatchNorm(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures < 1) {
            throw new IllegalArgumentException("num_features must be positive, got " + numFeatures);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        this.trackRunningStats = trackRunningStats;
        NDManager m = manager();
        registerParameter("weight", affine ? m.ones(new Shape(numFeatures)) : null);
        registerParameter("bias", affine ? m.zeros(new Shape(numFeatures)) : null);
        // torch registers None buffers without running stats; they are not in the state dict either way.
        if (trackRunningStats) {
            registerBuffer("running_mean", m.zeros(new Shape(numFeatures)));
            registerBuffer("running_var", m.ones(new Shape(numFeatures)));
            registerBuffer("num_batches_tracked", m.zeros(new Shape(), DataType.INT64));
        }
    }

    /** Returns 2, torch's {@code _BatchNorm._version}. */
    @Override
    protected int version() {
        return 2;
    }

    /**
     * Checks the input's rank, as torch's {@code _check_input_dim}.
     *
     * @param shape the input's shape
     * @throws IllegalArgumentException if the rank is wrong for this layer
     */
    protected abstract void checkInputDim(Shape shape);

    /**
     * Normalizes the input.
     *
     * @param input a float tensor [N, C, ...]
     * @return the output, owned by the input's manager
     * @throws IllegalArgumentException if the input's rank is wrong
     * @throws ai.djl.engine.EngineException if libtorch rejects the input (e.g. one value per channel when training)
     */
    @Override
    public NDArray forward(NDArray input) {
        checkInputDim(input.getShape());
        double factor = 0;
        if (isTraining() && trackRunningStats) {
            NDArray count = buffer("num_batches_tracked");
            count.addi(1L);
            factor = momentum == null ? 1.0 / count.getLong() : momentum;
        }
        boolean useBatchStats = isTraining() || !trackRunningStats;
        try (NDManager scratch = input.getManager().newSubManager()) {
            Shape c = new Shape(numFeatures);
            DataType type = input.getDataType();
            // DJL's batchNorm needs every tensor; torch passes None where these are absent.
            NDArray mean = trackRunningStats ? buffer("running_mean") : scratch.zeros(c, type);
            NDArray var = trackRunningStats ? buffer("running_var") : scratch.ones(c, type);
            NDArray w = affine ? weight() : scratch.ones(c, type);
            NDArray b = affine ? bias() : scratch.zeros(c, type);
            // DJL hands libtorch 1 - momentum (MXNet's convention), so give it 1 - torch's factor.
            return input.getNDArrayInternal().batchNorm(input, mean, var, w, b, -1, (float) (1 - factor), (float) eps,
                    useBatchStats).singletonOrThrow();
        }
    }

    /** Returns the scale [C], owned by this module, or null when not affine. */
    public NDArray weight() {
        return parameter("weight");
    }

    /** Returns the shift [C], owned by this module, or null when not affine. */
    public NDArray bias() {
        return parameter("bias");
    }

    /**
     * Returns the running mean [C], owned by this module.
     *
     * @throws IllegalArgumentException if the layer keeps no running stats
     */
    public NDArray runningMean() {
        return buffer("running_mean");
    }

    /**
     * Returns the running variance [C], owned by this module.
     *
     * @throws IllegalArgumentException if the layer keeps no running stats
     */
    public NDArray runningVar() {
        return buffer("running_var");
    }

    /** Returns the number of channels. */
    public int numFeatures() {
        return numFeatures;
    }

    /** Returns the epsilon added to the variance. */
    public double eps() {
        return eps;
    }

    /** Returns the momentum, or null for the cumulative average. */
    public Double momentum() {
        return momentum;
    }

    /** Returns whether the layer has {@code weight} and {@code bias}. */
    public boolean affine() {
        return affine;
    }

    /** Returns whether the layer keeps running stats. */
    public boolean trackRunningStats() {
        return trackRunningStats;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine="
                + affine + ", track_running_stats=" + trackRunningStats + ")";
    }

    void requireRank(Shape shape, int... ranks) {
        for (int r : ranks) {
            if (shape.dimension() == r) {
                return;
            }
        }
        String expected = ranks.length == 1 ? ranks[0] + "D" : ranks[0] + "D or " + ranks[1] + "D";
        throw new IllegalArgumentException(getClass().getSimpleName() + " expected " + expected + " input (got "
                + shape.dimension() + "D input)");
    }
}
