package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Checks of a module's input made before its kernel runs: rank, channel or feature count, dtype.
 * They cost two reads of the array's header, and turn what would be a libtorch traceback from the
 * op library into a {@link ForwardException} that names the module, what it takes and what came.
 */
public final class ForwardChecks {
    private static final String[] SPATIAL = {"L", "H, W", "D, H, W"};

    private ForwardChecks() {
    }

    /**
     * Checks a convolution's input: {@code [N, C, ...]} (or, when {@code unbatched}, {@code [C, ...]})
     * with {@code dims} spatial dimensions, {@code channels} channels, and {@code dtype}.
     *
     * @param module the convolution
     * @param x its input
     * @param dims the number of spatial dimensions, 1 to 3
     * @param channels the input channels
     * @param dtype the dtype it takes; {@link DataType#UNKNOWN} for a quantized tensor
     * @param unbatched whether an input without the batch dimension is allowed (float convolutions, as in torch)
     * @throws ForwardException if the input does not fit
     */
    public static void conv(Module module, NDArray x, int dims, long channels, DataType dtype, boolean unbatched) {
        Shape s = x.getShape();
        int rank = s.dimension();
        boolean fits = (rank == dims + 2 || unbatched && rank == dims + 1) && s.get(rank - dims - 1) == channels
                && x.getDataType() == dtype;
        if (!fits) {
            String spatial = SPATIAL[dims - 1];
            throw ForwardException.expected(module, "[N, " + channels + ", " + spatial + "]"
                    + (unbatched ? " or [" + channels + ", " + spatial + "]" : "") + " " + ForwardException.dtypeName(dtype), x);
        }
    }

    /**
     * Checks a linear layer's input: at least one dimension, the last of size {@code inFeatures}, and
     * {@code dtype}.
     *
     * @param module the layer
     * @param x its input
     * @param inFeatures the input size
     * @param dtype the dtype it takes; {@link DataType#UNKNOWN} for a quantized tensor
     * @throws ForwardException if the input does not fit
     */
    public static void linear(Module module, NDArray x, long inFeatures, DataType dtype) {
        Shape s = x.getShape();
        if (s.dimension() < 1 || s.get(s.dimension() - 1) != inFeatures || x.getDataType() != dtype) {
            throw ForwardException.expected(module, "[..., " + inFeatures + "] " + ForwardException.dtypeName(dtype), x);
        }
    }

    /**
     * Checks an input's dtype only.
     *
     * @param module the module
     * @param x its input
     * @param dtype the dtype it takes
     * @throws ForwardException if the input has another
     */
    public static void dtype(Module module, NDArray x, DataType dtype) {
        if (x.getDataType() != dtype) {
            throw ForwardException.expected(module, ForwardException.dtypeName(dtype), x);
        }
    }
}
