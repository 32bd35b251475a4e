package io.qcheckpoint.nn;

import java.util.Arrays;

/**
 * The optional arguments of torch's {@code nn.ConvNd} ({@code stride}, {@code padding},
 * {@code dilation}, {@code groups}, {@code bias}), with torch's defaults. Immutable: each setter
 * returns a new instance. A single value applies to every spatial dimension, as a Python int does;
 * otherwise give one value per dimension. Only {@code padding_mode="zeros"} exists.
 *
 * <pre>{@code
 * new Conv2d(4, 8, 3, ConvOptions.defaults().stride(2).padding(1).dilation(2).groups(2).bias(false));
 * }</pre>
 */
public final class ConvOptions {
    private static final ConvOptions DEFAULTS = new ConvOptions(new long[] {1}, new long[] {0}, new long[] {1}, 1, true);

    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final int groups;
    private final boolean bias;

    private ConvOptions(long[] stride, long[] padding, long[] dilation, int groups, boolean bias) {
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        this.bias = bias;
    }

    /** Returns torch's defaults: stride 1, padding 0, dilation 1, groups 1, with bias. */
    public static ConvOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns these options with another stride.
     *
     * @param values one value for every dimension, or one per dimension; each at least 1
     * @return the new options
     * @throws IllegalArgumentException if no value is given or one is below 1
     */
    public ConvOptions stride(long... values) {
        return new ConvOptions(checked("stride", values, 1), padding, dilation, groups, bias);
    }

    /**
     * Returns these options with another zero padding.
     *
     * @param values one value for every dimension, or one per dimension; each at least 0
     * @return the new options
     * @throws IllegalArgumentException if no value is given or one is negative
     */
    public ConvOptions padding(long... values) {
        return new ConvOptions(stride, checked("padding", values, 0), dilation, groups, bias);
    }

    /**
     * Returns these options with another dilation.
     *
     * @param values one value for every dimension, or one per dimension; each at least 1
     * @return the new options
     * @throws IllegalArgumentException if no value is given or one is below 1
     */
    public ConvOptions dilation(long... values) {
        return new ConvOptions(stride, padding, checked("dilation", values, 1), groups, bias);
    }

    /**
     * Returns these options with another number of groups.
     *
     * @param value the number of groups, at least 1
     * @return the new options
     * @throws IllegalArgumentException if the value is below 1
     */
    public ConvOptions groups(int value) {
        if (value < 1) {
            throw new IllegalArgumentException("groups must be positive, got " + value);
        }
        return new ConvOptions(stride, padding, dilation, value, bias);
    }

    /**
     * Returns these options with or without a bias.
     *
     * @param value whether the convolution has a bias
     * @return the new options
     */
    public ConvOptions bias(boolean value) {
        return new ConvOptions(stride, padding, dilation, groups, value);
    }

    long[] strideFor(int dims) {
        return expand("stride", stride, dims);
    }

    long[] paddingFor(int dims) {
        return expand("padding", padding, dims);
    }

    long[] dilationFor(int dims) {
        return expand("dilation", dilation, dims);
    }

    int groupCount() {
        return groups;
    }

    boolean hasBias() {
        return bias;
    }

    /**
     * Repeats a single value for every dimension, as torch's {@code _pair}/{@code _triple} do.
     *
     * @param name the argument's name, for messages
     * @param values one value, or one per dimension
     * @param dims the number of spatial dimensions
     * @return a new array of {@code dims} values
     * @throws IllegalArgumentException if there are neither 1 nor {@code dims} values
     */
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

    /**
     * Copies values after checking each is at least {@code min}.
     *
     * @param name the argument's name, for messages
     * @param values the values
     * @param min the least allowed value
     * @return a copy
     * @throws IllegalArgumentException if there is no value, or one is below {@code min}
     */
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
