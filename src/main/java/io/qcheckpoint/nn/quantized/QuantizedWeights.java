package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.Tensor;

/**
 * Builds the quantized weight tensors that quantized modules are constructed from: the one place
 * where convert (through observers' qparams) and the IPEX rebuild (symmetric over the weight's own
 * range) turn a float weight into an int8 one.
 */
public final class QuantizedWeights {
    /** Half of int8's 255 steps: symmetric qint8 maps {@code max|w|} to 127.5 steps, as IPEX and the placeholder do. */
    private static final double SYMMETRIC_RANGE = 127.5;

    private QuantizedWeights() {
    }

    /**
     * Quantizes {@code weight} per tensor.
     *
     * @param weight the float weight (not changed)
     * @param scale the scale
     * @param zeroPoint the zero point
     * @param dtype {@link DType#QINT8} or {@link DType#QUINT8}
     * @param scratch owns the intermediates and the result
     * @return the quantized weight
     */
    public static NDArray perTensor(NDArray weight, double scale, long zeroPoint, DType dtype, NDManager scratch) {
        return QuantizedKernels.quantizePerTensor(copyInto(weight, scratch), scale, zeroPoint, dtype);
    }

    /**
     * Quantizes {@code weight} per channel with float64 scales and int64 zero points, as torch stores them.
     *
     * @param weight the float weight (not changed)
     * @param scales one scale per channel of {@code axis}
     * @param zeroPoints one zero point per channel
     * @param axis the channel axis
     * @param dtype {@link DType#QINT8} or {@link DType#QUINT8}
     * @param scratch owns the intermediates and the result
     * @return the quantized weight
     */
    public static NDArray perChannel(NDArray weight, double[] scales, long[] zeroPoints, int axis, DType dtype,
            NDManager scratch) {
        // through TensorArrays: the quantizer keeps its scales, so they must live in libtorch's memory
        NDArray channelScales = TensorArrays.toNDArray(scratch, Tensor.fromDoubles(scales, scales.length));
        NDArray channelZeroPoints = TensorArrays.toNDArray(scratch, Tensor.fromLongs(zeroPoints, zeroPoints.length));
        return QuantizedKernels.quantizePerChannel(copyInto(weight, scratch), channelScales, channelZeroPoints, axis,
                dtype);
    }

    /**
     * Quantizes {@code weight} to symmetric qint8 over its own range: scale {@code max|w| / 127.5},
     * zero point 0, per output channel (axis 0) or for the whole tensor; an all-zero channel or
     * tensor gets scale 1. IPEX quantizes weights so; convert uses the per-tensor form as a
     * stand-in until a state dict brings the real weight.
     *
     * @param weight the float weight (not changed)
     * @param perChannel whether each output channel gets its own scale
     * @param scratch owns the intermediates and the result
     * @return the quantized weight
     */
    public static NDArray symmetric(NDArray weight, boolean perChannel, NDManager scratch) {
        NDArray w = copyInto(weight, scratch);
        if (!perChannel) {
            double amax = w.abs().max().getFloat();
            return QuantizedKernels.quantizePerTensor(w, amax > 0 ? amax / SYMMETRIC_RANGE : 1.0, 0, DType.QINT8);
        }
        NDArray amax = w.abs().reshape(w.getShape().get(0), -1).max(new int[] {1}).toType(DataType.FLOAT64, false);
        NDArray scales = amax.gt(0).toType(DataType.FLOAT64, false).mul(amax.div(SYMMETRIC_RANGE))
                .add(amax.eq(0).toType(DataType.FLOAT64, false));
        NDArray zeros = scratch.zeros(amax.getShape(), DataType.INT64);
        return QuantizedKernels.quantizePerChannel(w, scales, zeros, 0, DType.QINT8);
    }

    private static NDArray copyInto(NDArray weight, NDManager scratch) {
        NDArray w = weight.duplicate();
        w.attach(scratch);
        return w;
    }
}
