package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * {@code y = x W^T + b}, as torch's {@code nn.Linear}: parameters {@code weight} [out, in] and
 * {@code bias} [out] (absent without bias), drawn from U(-1/sqrt(in), 1/sqrt(in)) as torch's
 * {@code reset_parameters} does.
 */
public class Linear extends Module {
    private final int inFeatures;
    private final int outFeatures;

    /**
     * Creates the layer with a bias.
     *
     * @param inFeatures the input size
     * @param outFeatures the output size
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int inFeatures, int outFeatures) {
        this(inFeatures, outFeatures, true);
    }

    /**
     * Creates the layer.
     *
     * @param inFeatures the input size
     * @param outFeatures the output size
     * @param bias whether the layer has a bias
     * @throws IllegalArgumentException if a size is not positive
     */
    public Linear(int inFeatures, int outFeatures, boolean bias) {
        if (inFeatures < 1 || outFeatures < 1) {
            throw new IllegalArgumentException("features must be positive, got in=" + inFeatures + " out=" + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        float bound = (float) (1 / Math.sqrt(inFeatures));
        registerParameter("weight", manager().randomUniform(-bound, bound, new Shape(outFeatures, inFeatures)));
        registerParameter("bias", bias ? manager().randomUniform(-bound, bound, new Shape(outFeatures)) : null);
    }

    /**
     * Applies the layer to the last dimension.
     *
     * @param input a tensor of the weight's dtype (float32), [..., in]
     * @return the output [..., out], owned by the input's manager
     * @throws ForwardException if the input's last dimension or dtype do not fit
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.linear(this, input, inFeatures, weight().getDataType());
        return input.getNDArrayInternal().linear(input, weight(), bias()).singletonOrThrow();
    }

    /**
     * Returns a copy of this layer whose parameters are copies of {@code weight} and {@code bias},
     * as torch's {@code fuse_linear_bn_eval} makes.
     *
     * @param weight the new weight [out, in]
     * @param bias the new bias [out], or null for none
     * @return the copy; the arguments stay with the caller
     * @throws IllegalArgumentException if a shape does not fit
     */
    public Linear withParameters(NDArray weight, NDArray bias) {
        ConvNd.checkShape("weight", weight, new Shape(outFeatures, inFeatures));
        if (bias != null) {
            ConvNd.checkShape("bias", bias, new Shape(outFeatures));
        }
        Linear c = (Linear) copy();
        c.setParameter("weight", weight.duplicate());
        c.setParameter("bias", bias == null ? null : bias.duplicate());
        return c;
    }

    /** Returns the weight [out, in], owned by this module. */
    public NDArray weight() {
        return parameter("weight");
    }

    /** Returns the bias [out], owned by this module, or null when there is none. */
    public NDArray bias() {
        return parameter("bias");
    }

    /** Returns the input size. */
    public int inFeatures() {
        return inFeatures;
    }

    /** Returns the output size. */
    public int outFeatures() {
        return outFeatures;
    }

    @Override
    public String toString() {
        return "Linear(in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + (bias() != null) + ")";
    }
}
