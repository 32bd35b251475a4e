package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Adaptive 2-d average pooling to a fixed output size, as torch's {@code nn.AdaptiveAvgPool2d},
 * of [N, C, H, W] or [C, H, W] input, float or quantized.
 *
 * <p>DJL offers adaptive pooling only to 1x1 ({@code globalAvgPool}, libtorch's
 * {@code adaptive_avg_pool2d}), so a larger output pools each of torch's windows (rows
 * {@code floor(i*H/oh)} to {@code ceil((i+1)*H/oh)}, columns likewise) to 1x1 and concatenates the
 * cells: the same kernel on the same elements, so quantized results keep libtorch's rounding.
 */
public class AdaptiveAvgPool2d extends Module {
    private final long outH;
    private final long outW;

    /**
     * Creates the pool with a square output.
     *
     * @param outputSize the output height and width
     * @throws IllegalArgumentException if the size is not positive
     */
    public AdaptiveAvgPool2d(int outputSize) {
        this(outputSize, outputSize);
    }

    /**
     * Creates the pool.
     *
     * @param outH the output height
     * @param outW the output width
     * @throws IllegalArgumentException if a size is not positive
     */
    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException("output_size must be positive, got (" + outH + ", " + outW + ")");
        }
        this.outH = outH;
        this.outW = outW;
    }

    /**
     * Pools the input.
     *
     * @param input a float or quantized tensor, [N, C, H, W] or [C, H, W]
     * @return the output [N, C, outH, outW] or [C, outH, outW], owned by the input's manager
     * @throws IllegalArgumentException if the input is not 3-d or 4-d
     */
    @Override
    public NDArray forward(NDArray input) {
        int rank = input.getShape().dimension();
        if (rank != 3 && rank != 4) {
            throw new IllegalArgumentException("AdaptiveAvgPool2d expects 3D or 4D input, got " + input.getShape());
        }
        // globalAvgPool picks the pooling rank from the input's, so pool a batched view
        NDArray x = rank == 3 ? input.expandDims(0) : input;
        long h = x.getShape().get(2);
        long w = x.getShape().get(3);
        NDArray out;
        if (outH == 1 && outW == 1) {
            out = cell(x);
        } else {
            NDList rows = new NDList();
            for (long i = 0; i < outH; i++) {
                NDList cells = new NDList();
                for (long j = 0; j < outW; j++) {
                    try (NDArray window = x.get(new NDIndex(":, :, {}:{}, {}:{}", start(i, h, outH), end(i, h, outH),
                            start(j, w, outW), end(j, w, outW)))) {
                        cells.add(cell(window));
                    }
                }
                rows.add(cells.size() == 1 ? cells.head() : concat(cells, 3));
            }
            out = rows.size() == 1 ? rows.head() : concat(rows, 2);
        }
        if (rank == 3) {
            NDArray squeezed = out.squeeze(0);
            out.close();
            x.close();
            return squeezed;
        }
        return out;
    }

    /** Averages a [N, C, h, w] window to [N, C, 1, 1]. */
    private static NDArray cell(NDArray window) {
        try (NDArray pooled = window.getNDArrayInternal().globalAvgPool()) {
            return pooled.reshape(pooled.getShape().addAll(new Shape(1, 1)));
        }
    }

    private static NDArray concat(NDList parts, int axis) {
        NDArray joined = NDArrays.concat(parts, axis);
        parts.close();
        return joined;
    }

    private static long start(long i, long in, long out) {
        return i * in / out;
    }

    private static long end(long i, long in, long out) {
        return ((i + 1) * in + out - 1) / out;
    }

    /** Returns the output height. */
    public long outputHeight() {
        return outH;
    }

    /** Returns the output width. */
    public long outputWidth() {
        return outW;
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPool2d(output_size=(" + outH + ", " + outW + "))";
    }
}
