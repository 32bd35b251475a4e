package io.qcheckpoint.nn;

/** A 3-d convolution, as torch's {@code nn.Conv3d}: input [N, C, D, H, W] or [C, D, H, W]. */
public class Conv3d extends ConvNd {
    /**
     * Creates the convolution with torch's defaults (stride 1, no padding, dilation 1, one group, bias).
     *
     * @param inChannels the input channels
     * @param outChannels the output channels
     * @param kernelSize the kernel size in every dimension
     * @throws IllegalArgumentException if a size is not positive
     */
    public Conv3d(int inChannels, int outChannels, int kernelSize) {
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
    public Conv3d(int inChannels, int outChannels, int kernelSize, ConvOptions options) {
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
    public Conv3d(int inChannels, int outChannels, long[] kernelSize, ConvOptions options) {
        super(3, inChannels, outChannels, kernelSize, options);
    }
}
