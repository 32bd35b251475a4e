package io.qcheckpoint.nn;

import java.util.Arrays;

/**
 * The optional arguments of torch's {@code nn.ConvNd} ({@code stride}, {@code padding},
 * {@code dilation}, {@code groups}, {@code bias}), with torch's defaults: an immutable value whose
 * {@code with*} methods return a changed copy. A single value applies to every spatial dimension,
 * as a Python int does; otherwise give one value per dimension. Only {@code padding_mode="zeros"}
 * exists.
 *
 * <pre>{@code
 * new Conv2d(4, 8, 3, ConvOptions.defaults().withStride(2).withPadding(1).withDilation(2).withGroups(2).withBias(false));
 * }</pre>
 *
 * @param stride the stride, one value or one per dimension, each at least 1
 * @param padding the implicit zero padding, each at least 0
 * @param dilation the spacing of kernel elements, each at least 1
 * @param groups the number of blocked connections from input to output channels, at least 1
 * @param bias whether the convolution has a bias
 */
public record ConvOptions(long[] stride, long[] padding, long[] dilation, int groups, boolean bias) {
    private static final ConvOptions DEFAULTS = new ConvOptions(new long[] {1}, new long[] {0}, new long[] {1}, 1, true);

    /**
     * Checks and copies the values.
     *
     * @throws IllegalArgumentException if a value is out of range or an array is empty
     */
    public ConvOptions {
        stride = checked("stride", stride, 1);
        padding = checked("padding", padding, 0);
        dilation = checked("dilation", dilation, 1);
        if (groups < 1) {
            throw new IllegalArgumentException("groups must be positive, got " + groups);
        }
    }

    /** Returns torch's defaults: stride 1, padding 0, dilation 1, groups 1, with bias. */
    public static ConvOptions defaults() {
        return DEFAULTS;
    }

    /** Returns a copy of the stride values. */
    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** Returns a copy of the padding values. */
    @Override
    public long[] padding() {
        return padding.clone();
    }

    /** Returns a copy of the dilation values. */
    @Override
    public long[] dilation() {
        return dilation.clone();
    }

    /**
     * Returns these options with another stride.
     *
     * @throws IllegalArgumentException if a value is below 1 or none is given
     */
    public ConvOptions withStride(long... values) {
        return new ConvOptions(values, padding, dilation, groups, bias);
    }

    /**
     * Returns these options with another padding.
     *
     * @throws IllegalArgumentException if a value is negative or none is given
     */
    public ConvOptions withPadding(long... values) {
        return new ConvOptions(stride, values, dilation, groups, bias);
    }

    /**
     * Returns these options with another dilation.
     *
     * @throws IllegalArgumentException if a value is below 1 or none is given
     */
    public ConvOptions withDilation(long... values) {
        return new ConvOptions(stride, padding, values, groups, bias);
    }

    /**
     * Returns these options with another group count.
     *
     * @throws IllegalArgumentException if {@code value < 1}
     */
    public ConvOptions withGroups(int value) {
        return new ConvOptions(stride, padding, dilation, value, bias);
    }

    /** Returns these options with or without a bias. */
    public ConvOptions withBias(boolean value) {
        return new ConvOptions(stride, padding, dilation, groups, value);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConvOptions c && Arrays.equals(stride, c.stride) && Arrays.equals(padding, c.padding)
                && Arrays.equals(dilation, c.dilation) && groups == c.groups && bias == c.bias;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new long[] {Arrays.hashCode(stride), Arrays.hashCode(padding), Arrays.hashCode(dilation),
            groups, bias ? 1 : 0});
    }

    @Override
    public String toString() {
        return "ConvOptions[stride=" + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ", dilation="
                + Arrays.toString(dilation) + ", groups=" + groups + ", bias=" + bias + "]";
    }

    /** One value per dimension: a single value repeated, or the values as given when there are {@code dims}. */
    static long[] expand(String name, long[] values, int dims) {
        if (values.length == 1) {
            long[] out = new long[dims];
            Arrays.fill(out, values[0]);
            return out;
        }
        if (values.length != dims) {
            throw new IllegalArgumentException(name + " needs 1 or " + dims + " values, got " + Arrays.toString(values));
        }
        return values.clone();
    }

    /** A copy of {@code values}, each at least {@code min}. */
    static long[] checked(String name, long[] values, long min) {
        if (values == null || values.length == 0) {
            throw new IllegalArgumentException(name + " needs at least one value");
        }
        for (long v : values) {
            if (v < min) {
                throw new IllegalArgumentException(name + " values must be at least " + min + ", got "
                        + Arrays.toString(values));
            }
        }
        return values.clone();
    }
}
