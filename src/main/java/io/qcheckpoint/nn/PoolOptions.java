package io.qcheckpoint.nn;

import java.util.Arrays;

/**
 * The arguments of torch's {@code nn.MaxPool2d} and {@code nn.AvgPool2d}, with torch's defaults: an
 * immutable value whose {@code with*} methods return a changed copy, as {@link ConvOptions}. A
 * single value applies to both dimensions, as a Python int does; otherwise give one per dimension.
 *
 * <pre>{@code
 * new MaxPool2d(PoolOptions.of(3).withStride(2).withPadding(1));
 * new AvgPool2d(PoolOptions.of(2).withCeilMode(true).withCountIncludePad(false));
 * }</pre>
 *
 * @param kernelSize the window size, each at least 1
 * @param stride the stride, each at least 1; by default the kernel size (torch's {@code None})
 * @param padding the implicit padding on both sides, each at least 0
 * @param dilation the spacing of window elements (max pooling only), each at least 1
 * @param ceilMode whether the output size rounds up
 * @param countIncludePad whether the padding counts in the divisor (average pooling only)
 */
public record PoolOptions(long[] kernelSize, long[] stride, long[] padding, long[] dilation, boolean ceilMode,
        boolean countIncludePad) {
    /**
     * Checks and copies the values.
     *
     * @throws IllegalArgumentException if a value is out of range or an array is empty
     */
    public PoolOptions {
        kernelSize = ConvOptions.checked("kernel_size", kernelSize, 1);
        stride = ConvOptions.checked("stride", stride, 1);
        padding = ConvOptions.checked("padding", padding, 0);
        dilation = ConvOptions.checked("dilation", dilation, 1);
    }

    /**
     * Returns torch's defaults for a window: stride = kernel size, no padding, dilation 1, floor
     * mode, padding counted.
     *
     * @param kernelSize the window size: one value or one per dimension
     * @return the options
     * @throws IllegalArgumentException if a size is below 1 or none is given
     */
    public static PoolOptions of(long... kernelSize) {
        return new PoolOptions(kernelSize, kernelSize, new long[] {0}, new long[] {1}, false, true);
    }

    /** Returns a copy of the kernel size. */
    @Override
    public long[] kernelSize() {
        return kernelSize.clone();
    }

    /** Returns a copy of the stride. */
    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** Returns a copy of the padding. */
    @Override
    public long[] padding() {
        return padding.clone();
    }

    /** Returns a copy of the dilation. */
    @Override
    public long[] dilation() {
        return dilation.clone();
    }

    /**
     * Returns these options with another stride.
     *
     * @throws IllegalArgumentException if a value is below 1 or none is given
     */
    public PoolOptions withStride(long... values) {
        return new PoolOptions(kernelSize, values, padding, dilation, ceilMode, countIncludePad);
    }

    /**
     * Returns these options with another padding.
     *
     * @throws IllegalArgumentException if a value is negative or none is given
     */
    public PoolOptions withPadding(long... values) {
        return new PoolOptions(kernelSize, stride, values, dilation, ceilMode, countIncludePad);
    }

    /**
     * Returns these options with another dilation (max pooling only).
     *
     * @throws IllegalArgumentException if a value is below 1 or none is given
     */
    public PoolOptions withDilation(long... values) {
        return new PoolOptions(kernelSize, stride, padding, values, ceilMode, countIncludePad);
    }

    /** Returns these options with the output size rounded up ({@code true}) or down. */
    public PoolOptions withCeilMode(boolean value) {
        return new PoolOptions(kernelSize, stride, padding, dilation, value, countIncludePad);
    }

    /** Returns these options with the padding counted in the divisor or not (average pooling only). */
    public PoolOptions withCountIncludePad(boolean value) {
        return new PoolOptions(kernelSize, stride, padding, dilation, ceilMode, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PoolOptions p && Arrays.equals(kernelSize, p.kernelSize) && Arrays.equals(stride, p.stride)
                && Arrays.equals(padding, p.padding) && Arrays.equals(dilation, p.dilation) && ceilMode == p.ceilMode
                && countIncludePad == p.countIncludePad;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new long[] {Arrays.hashCode(kernelSize), Arrays.hashCode(stride), Arrays.hashCode(padding),
            Arrays.hashCode(dilation), ceilMode ? 1 : 0, countIncludePad ? 1 : 0});
    }

    @Override
    public String toString() {
        return "PoolOptions[kernelSize=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", ceilMode="
                + ceilMode + ", countIncludePad=" + countIncludePad + "]";
    }
}
