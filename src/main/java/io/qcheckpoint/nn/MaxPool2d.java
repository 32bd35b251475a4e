package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * 2-d max pooling, as torch's {@code nn.MaxPool2d}, of [N, C, H, W] or [C, H, W] input, float or
 * quantized (libtorch's quantized max pool). Dilation above 1 is computed from strided slices,
 * because DJL's max pool has no dilation argument; that path takes float input only.
 */
public class MaxPool2d extends Module {
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final boolean ceilMode;

    /**
     * Creates the pool with stride = kernel size, no padding, dilation 1, floor mode.
     *
     * @param kernelSize the window size in both dimensions
     * @throws IllegalArgumentException if the size is not positive
     */
    public MaxPool2d(int kernelSize) {
        this(PoolOptions.of(kernelSize));
    }

    /**
     * Creates the pool ({@link PoolOptions#countIncludePad()} does not apply).
     *
     * @param options kernel size, stride, padding, dilation, ceil mode
     * @throws IllegalArgumentException if a value has neither 1 nor 2 entries, or padding exceeds half
     *     the dilated kernel
     */
    public MaxPool2d(PoolOptions options) {
        this.kernelSize = ConvOptions.expand("kernel_size", options.kernelSize(), 2);
        this.stride = ConvOptions.expand("stride", options.stride(), 2);
        this.padding = ConvOptions.expand("padding", options.padding(), 2);
        this.dilation = ConvOptions.expand("dilation", options.dilation(), 2);
        this.ceilMode = options.ceilMode();
        for (int i = 0; i < 2; i++) {
            // libtorch's rule: at most half of the effective (dilated) kernel
            if (this.padding[i] > ((this.kernelSize[i] - 1) * this.dilation[i] + 1) / 2) {
                throw new IllegalArgumentException("pad should be at most half of effective kernel size, but got pad="
                        + this.padding[i] + ", kernel_size=" + this.kernelSize[i] + " and dilation=" + this.dilation[i]);
            }
        }
    }

    /**
     * Pools the input.
     *
     * @param input a float or quantized tensor, [N, C, H, W] or [C, H, W]; float only when dilated
     * @return the output, owned by the input's manager
     * @throws UnsupportedOperationException if dilated and the input is not floating point
     * @throws ai.djl.engine.EngineException if libtorch rejects the input
     */
    @Override
    public NDArray forward(NDArray input) {
        if (dilation[0] == 1 && dilation[1] == 1) {
            return input.getNDArrayInternal().maxPool(new Shape(kernelSize), new Shape(stride), new Shape(padding),
                    ceilMode);
        }
        if (!input.getDataType().isFloating()) {
            throw new UnsupportedOperationException("dilated max pooling needs float input, got " + input.getDataType());
        }
        return dilated(input);
    }

    /** Max over the k*k strided slices of the input padded with -inf: torch's window, element by element. */
    private NDArray dilated(NDArray input) {
        Shape s = input.getShape();
        int rank = s.dimension();
        long[] in = {s.get(rank - 2), s.get(rank - 1)};
        long[] out = {outputSize(0, in[0]), outputSize(1, in[1])};
        NDArray padded = input;
        for (int d = 0; d < 2; d++) {
            // the last window may reach past the padded input in ceil mode; torch ignores that part, -inf does too
            long needed = (out[d] - 1) * stride[d] + (kernelSize[d] - 1) * dilation[d] + 1;
            long after = Math.max(padding[d], needed - in[d] - padding[d]);
            NDArray next = padWithNegativeInfinity(padded, rank - 2 + d, padding[d], after);
            if (padded != input && next != padded) {
                padded.close();
            }
            padded = next;
        }
        NDArray result = null;
        for (long a = 0; a < kernelSize[0]; a++) {
            for (long b = 0; b < kernelSize[1]; b++) {
                long h0 = a * dilation[0];
                long w0 = b * dilation[1];
                NDArray slice = padded.get(new NDIndex("..., {}:{}:{}, {}:{}:{}", h0, h0 + (out[0] - 1) * stride[0] + 1,
                        stride[0], w0, w0 + (out[1] - 1) * stride[1] + 1, stride[1]));
                if (result == null) {
                    result = slice;
                } else {
                    NDArray next = result.maximum(slice);
                    result.close();
                    slice.close();
                    result = next;
                }
            }
        }
        if (padded != input) {
            padded.close();
        }
        return result;
    }

    private static NDArray padWithNegativeInfinity(NDArray x, int axis, long before, long after) {
        if (before == 0 && after == 0) {
            return x;
        }
        long[] shape = x.getShape().getShape();
        long[] beforeShape = shape.clone();
        beforeShape[axis] = before;
        long[] afterShape = shape.clone();
        afterShape[axis] = after;
        NDArray lo = x.getManager().full(new Shape(beforeShape), Float.NEGATIVE_INFINITY, x.getDataType());
        NDArray hi = x.getManager().full(new Shape(afterShape), Float.NEGATIVE_INFINITY, x.getDataType());
        NDArray out = lo.concat(x, axis).concat(hi, axis);
        lo.close();
        hi.close();
        return out;
    }

    /** torch's {@code pooling_output_shape}. */
    private long outputSize(int d, long in) {
        long span = in + 2 * padding[d] - dilation[d] * (kernelSize[d] - 1) - 1 + (ceilMode ? stride[d] - 1 : 0);
        long out = Math.floorDiv(span, stride[d]) + 1;
        if (ceilMode && (out - 1) * stride[d] >= in + padding[d]) {
            out--;
        }
        if (out < 1) {
            throw new IllegalArgumentException("max pool output would be empty for input size " + in);
        }
        return out;
    }

    /** Returns the window size (a copy). */
    public long[] kernelSize() {
        return kernelSize.clone();
    }

    /** Returns the stride (a copy). */
    public long[] stride() {
        return stride.clone();
    }

    /** Returns the padding (a copy). */
    public long[] padding() {
        return padding.clone();
    }

    /** Returns the dilation (a copy). */
    public long[] dilation() {
        return dilation.clone();
    }

    /** Returns whether the output size rounds up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", dilation=" + Arrays.toString(dilation) + ", ceil_mode="
                + ceilMode + ")";
    }
}
