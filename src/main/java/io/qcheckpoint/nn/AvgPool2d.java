package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.pt.DType;
import java.util.Arrays;

/**
 * 2-d average pooling, as torch's {@code nn.AvgPool2d} (without {@code divisor_override}), of
 * [N, C, H, W] or [C, H, W] input, float or quantized (libtorch's quantized average pool).
 *
 * <p>DJL 0.36 does not pass {@code count_include_pad} on to libtorch (it always counts the padding).
 * Where that matters (padding, {@code countIncludePad=false}) float results are rescaled from
 * torch's padded divisor to the number of input elements in each window; quantized input is
 * dequantized, pooled so, and quantized again with its own scale and zero point, as libtorch's
 * quantized kernel keeps them: equal to that kernel's result but for the rounding of exact ties.
 */
public class AvgPool2d extends Module {
    private final long[] kernelSize;
    private final long[] stride;
    private final long[] padding;
    private final boolean ceilMode;
    private final boolean countIncludePad;

    /**
     * Creates the pool with stride = kernel size, no padding, floor mode, padding counted.
     *
     * @param kernelSize the window size in both dimensions
     * @throws IllegalArgumentException if the size is not positive
     */
    public AvgPool2d(int kernelSize) {
        this(PoolOptions.of(kernelSize));
    }

    /**
     * Creates the pool.
     *
     * @param options kernel size, stride, padding, ceil mode, whether padding counts in the divisor
     * @throws IllegalArgumentException if a value has neither 1 nor 2 entries, the options give a
     *     dilation (torch's {@code AvgPool2d} has none), or padding exceeds half the kernel
     */
    public AvgPool2d(PoolOptions options) {
        this.kernelSize = ConvOptions.expand("kernel_size", options.kernelSize(), 2);
        this.stride = ConvOptions.expand("stride", options.stride(), 2);
        this.padding = ConvOptions.expand("padding", options.padding(), 2);
        this.ceilMode = options.ceilMode();
        this.countIncludePad = options.countIncludePad();
        if (Arrays.stream(options.dilation()).anyMatch(d -> d != 1)) {
            throw new IllegalArgumentException("AvgPool2d has no dilation, got " + Arrays.toString(options.dilation()));
        }
        for (int i = 0; i < 2; i++) {
            if (this.padding[i] > this.kernelSize[i] / 2) {
                throw new IllegalArgumentException("pad should be at most half of kernel size, but got pad="
                        + this.padding[i] + " and kernel_size=" + this.kernelSize[i]);
            }
        }
    }

    /**
     * Pools the input.
     *
     * @param input a float or quantized tensor, [N, C, H, W] or [C, H, W]
     * @return the output, owned by the input's manager
     * @throws ai.djl.engine.EngineException if libtorch rejects the input
     */
    @Override
    public NDArray forward(NDArray input) {
        NDArray pooled = pool(input);
        if (countIncludePad || padding[0] == 0 && padding[1] == 0) {
            return pooled;
        }
        if (input.getDataType().isFloating()) {
            return excludingPadding(input, pooled);
        }
        DType dtype;
        try (NDArray ints = QuantizedKernels.intRepr(pooled)) {
            dtype = switch (ints.getDataType()) {
                case UINT8 -> DType.QUINT8;
                case INT8 -> DType.QINT8;
                default -> DType.QINT32;
            };
        }
        pooled.close();
        try (NDArray real = QuantizedKernels.dequantize(input); NDArray avg = excludingPadding(real, pool(real))) {
            return QuantizedKernels.quantizePerTensor(avg, QuantizedKernels.qScale(input), QuantizedKernels.qZeroPoint(input),
                    dtype);
        }
    }

    private NDArray pool(NDArray x) {
        return x.getNDArrayInternal().avgPool(new Shape(kernelSize), new Shape(stride), new Shape(padding), ceilMode, true);
    }

    /** Turns averages over padded windows into averages over the input elements they hold. */
    private NDArray excludingPadding(NDArray input, NDArray paddedAverage) {
        Shape s = input.getShape();
        int rank = s.dimension();
        long[] plane = new long[rank];
        Arrays.fill(plane, 1);
        plane[rank - 2] = s.get(rank - 2);
        plane[rank - 1] = s.get(rank - 1);
        // pooling ones gives (input elements / torch's padded divisor) per window
        try (NDArray ones = input.getManager().ones(new Shape(plane), input.getDataType()); NDArray share = pool(ones)) {
            NDArray out = paddedAverage.div(share);
            paddedAverage.close();
            return out;
        }
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

    /** Returns whether the output size rounds up. */
    public boolean ceilMode() {
        return ceilMode;
    }

    /** Returns whether the padding counts in the divisor. */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel_size=" + Arrays.toString(kernelSize) + ", stride=" + Arrays.toString(stride)
                + ", padding=" + Arrays.toString(padding) + ", ceil_mode=" + ceilMode + ", count_include_pad="
                + countIncludePad + ")";
    }
}
