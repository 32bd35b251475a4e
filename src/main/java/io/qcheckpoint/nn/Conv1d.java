package io.qcheckpoint.nn;

/** A 1-d convolution, as torch's {@code nn.Conv1d}: input [N, C, L] or [C, L]. */
public class Conv1d extends ConvNd {
    /**
     * Creates the convolution with torch's defaults (stride 1, no padding, dilation 1, one group, bias).
     *
     * @param inChannels the input channels
     * @param outChannels the output channels
     * @param kernelSize the kernel size in every dimension
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize) {
        this(inChannels, outChannels, kernelSize, ConvOptions.defaults());
    }

    /**
     * Creates the convolution.
     *
     * @param inChannels the input channels
     * @param outChannels the output channels
     * @param kernelSize the kernel size in every dimension
     * @param options stride, padding, dilation, groups and bias
     * @throws IllegalArgumentException if a size is not positive, or the channels are not divisible by groups
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize, ConvOptions options) {
        this(inChannels, outChannels, new long[] {kernelSize}, options);
    }

    /**
     * Creates the convolution.
     *
     * @param inChannels the input channels
     * @param outChannels the output channels
     * @param kernelSize one size for every dimension, or one per dimension
     * @param options stride, padding, dilation, groups and bias
     * @throws IllegalArgumentException if a size is not positive, or the channels are not divisible by groups
     */
    public Conv1d(int inChannels, int outChannels, long[] kernelSize, ConvOptions options) {
        super(1, inChannels, outChannels, kernelSize, options);
    }
}
