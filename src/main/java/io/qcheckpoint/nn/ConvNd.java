package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * The float convolutions' common part, as torch's {@code nn.modules.conv._ConvNd}: parameters
 * {@code weight} [out, in / groups, kernel...] and {@code bias} [out] (absent without bias), both
 * drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch's {@code reset_parameters} does; zero
 * padding only.
 */
public abstract class ConvNd extends Module {
    private final int inChannels;
    private final int outChannels;
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final int groups;

    /**
     * Creates the convolution with freshly drawn parameters.
     *
     * @param dims the number of spatial dimensions (1, 2 or 3)
     * @param inChannels the input channels
     * @param outChannels the output channels
     * @param kernelSize one size for every dimension, or one per dimension
     * @param options stride, padding, dilation, groups and bias
     * @throws IllegalArgumentException if a size is not positive, or the channels are not divisible by groups
     */
    protected ConvNd(int dims, int inChannels, int outChannels, long[] kernelSize, ConvOptions options) {
        if (inChannels < 1 || outChannels < 1) {
            throw new IllegalArgumentException("channels must be positive, got in=" + inChannels + " out=" + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernelSize = ConvOptions.expand("kernel_size", ConvOptions.checked("kernel_size", kernelSize, 1), dims);
        this.stride = ConvOptions.expand("stride", options.stride(), dims);
        this.padding = ConvOptions.expand("padding", options.padding(), dims);
        this.dilation = ConvOptions.expand("dilation", options.dilation(), dims);
        this.groups = options.groups();
        if (inChannels % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels (" + inChannels + ") and out_channels (" + outChannels
                    + ") must be divisible by groups (" + groups + ")");
        }
        long[] weightShape = new long[dims + 2];
        weightShape[0] = outChannels;
        weightShape[1] = inChannels / groups;
        System.arraycopy(this.kernelSize, 0, weightShape, 2, dims);
        long fanIn = weightShape[1] * Arrays.stream(this.kernelSize).reduce(1, Math::multiplyExact);
        float bound = (float) (1 / Math.sqrt(fanIn));
        registerParameter("weight", manager().randomUniform(-bound, bound, new Shape(weightShape)));
        registerParameter("bias", options.bias() ? manager().randomUniform(-bound, bound, new Shape(outChannels)) : null);
    }

    /**
     * Convolves the input, batched [N, C, ...] or not [C, ...].
     *
     * @param input a tensor of the weight's dtype (float32), [N, in_channels, ...] or [in_channels, ...]
     * @return the output, owned by the input's manager
     * @throws ForwardException if the input's rank, channels or dtype do not fit
     * @throws ai.djl.engine.EngineException if libtorch rejects it all the same (e.g. smaller than the kernel)
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.conv(this, input, kernelSize.length, inChannels, weight().getDataType(), true);
        return input.getNDArrayInternal().convolution(input, weight(), bias(), new Shape(stride), new Shape(padding),
                new Shape(dilation), groups).singletonOrThrow();
    }

    /**
     * Returns a copy of this convolution whose parameters are copies of {@code weight} and
     * {@code bias}, as torch's {@code fuse_conv_bn_eval} makes (a deep copy with new parameters).
     *
     * @param weight the new weight, of this weight's shape
     * @param bias the new bias [out], or null for none
     * @return the copy; the arguments stay with the caller
     * @throws IllegalArgumentException if a shape does not fit
     */
    public ConvNd withParameters(NDArray weight, NDArray bias) {
        checkShape("weight", weight, weight().getShape());
        if (bias != null) {
            checkShape("bias", bias, new Shape(outChannels));
        }
        ConvNd c = (ConvNd) copy();
        c.setParameter("weight", weight.duplicate());
        c.setParameter("bias", bias == null ? null : bias.duplicate());
        return c;
    }

    /** Returns the weight [out, in / groups, kernel...], owned by this module. */
    public NDArray weight() {
        return parameter("weight");
    }

    /** Returns the bias [out], owned by this module, or null when there is none. */
    public NDArray bias() {
        return parameter("bias");
    }

    /** Returns the number of input channels. */
    public int inChannels() {
        return inChannels;
    }

    /** Returns the number of output channels. */
    public int outChannels() {
        return outChannels;
    }

    /** Returns the kernel size, one value per spatial dimension (a copy). */
    public long[] kernelSize() {
        return kernelSize.clone();
    }

    /** Returns the stride, one value per spatial dimension (a copy). */
    public long[] stride() {
        return stride.clone();
    }

    /** Returns the zero padding, one value per spatial dimension (a copy). */
    public long[] padding() {
        return padding.clone();
    }

    /** Returns the dilation, one value per spatial dimension (a copy). */
    public long[] dilation() {
        return dilation.clone();
    }

    /** Returns the number of groups. */
    public int groups() {
        return groups;
    }

    /** Returns torch's {@code padding_mode}, always {@code "zeros"}. */
    public String paddingMode() {
        return "zeros";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + inChannels + ", " + outChannels + ", kernel_size="
                + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride) + ", padding="
                + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", groups=" + groups
                + ", bias=" + (bias() != null) + ")";
    }

    static void checkShape(String name, NDArray a, Shape expected) {
        if (!a.getShape().equals(expected)) {
            throw new IllegalArgumentException(name + " must have shape " + expected + ", got " + a.getShape());
        }
    }
}
