package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.Storage;
import io.qcheckpoint.pt.Tensor;
import java.util.Map;

/**
 * Moves quantized tensors between the pt layer and libtorch: the integer representation travels as
 * a plain int8/uint8/int32 array, and the qparams are re-attached on the other side, so the values
 * are exactly torch's.
 */
public final class QuantizedArrays {
    /** Quantized dtype to the plain dtype of its integer representation, and back. */
    private static final Map<DType, DType> INT_REPR = Map.of(DType.QINT8, DType.INT8, DType.QUINT8, DType.UINT8,
            DType.QINT32, DType.INT32);
    private static final Map<DataType, DType> FROM_INT_REPR = Map.of(DataType.INT8, DType.QINT8, DataType.UINT8,
            DType.QUINT8, DataType.INT32, DType.QINT32);

    private QuantizedArrays() {
    }

    /**
     * Builds a libtorch quantized tensor holding exactly a pt-layer quantized tensor's values.
     *
     * @param manager the owner of the result
     * @param tensor a qint8, quint8 or qint32 tensor, per-tensor or per-channel affine
     * @return the quantized NDArray
     * @throws IllegalArgumentException for other dtypes or schemes (float-qparams embeddings)
     */
    public static NDArray toNDArray(NDManager manager, Tensor tensor) {
        DType plain = INT_REPR.get(tensor.dtype());
        Quantization q = tensor.quantization();
        if (plain == null || q == null) {
            throw new IllegalArgumentException("expected a qint8, quint8 or qint32 tensor, got " + tensor.dtype());
        }
        Tensor ints = Tensor.view(tensor.storage(), plain, tensor.storageOffset(), tensor.shape(), tensor.strides());
        try (NDManager scratch = manager.newSubManager()) {
            // libtorch copies the integers into the quantized tensor: no owning copy of them first
            NDArray repr = TensorArrays.overBytes(scratch, ints);
            NDArray result = q instanceof Quantization.PerTensor pt
                    ? QuantizedKernels.fromIntRepr(repr, pt.scale(), pt.zeroPoint())
                    : perChannel(scratch, repr, (Quantization.PerChannel) q);
            result.attach(manager);
            return result;
        }
    }

    /**
     * Copies a libtorch quantized tensor into a pt-layer tensor: integer representation and qparams.
     *
     * @param q a quantized NDArray (per-tensor or per-channel affine)
     * @return the contiguous quantized tensor
     * @throws IllegalArgumentException if {@code q} is not quantized in a supported scheme
     */
    public static Tensor toTensor(NDArray q) {
        if (q.getDataType() != DataType.UNKNOWN) {
            throw new IllegalArgumentException("expected a quantized tensor, got a " + q.getDataType() + " one");
        }
        try (NDManager scratch = q.getManager().newSubManager()) {
            NDArray repr = QuantizedKernels.intRepr(q);
            repr.attach(scratch);
            DType dtype = FROM_INT_REPR.get(repr.getDataType());
            if (dtype == null) {
                throw new IllegalArgumentException("no quantized dtype has an integer representation of " + repr.getDataType());
            }
            Tensor ints = TensorArrays.toTensor(repr);
            Tensor quantized = Tensor.contiguous(Storage.wrap(dtype, ints.data()), ints.shape());
            return quantized.withQuantization(quantization(q, scratch));
        }
    }

    private static NDArray perChannel(NDManager scratch, NDArray repr, Quantization.PerChannel pc) {
        if (pc.scheme() != QScheme.PER_CHANNEL_AFFINE) {
            throw new IllegalArgumentException(pc.scheme() + " tensors are not supported by the int8 kernels");
        }
        NDArray scales = TensorArrays.toNDArray(scratch, pc.scales()).toType(DataType.FLOAT64, false);
        NDArray zeroPoints = TensorArrays.toNDArray(scratch, pc.zeroPoints()).toType(DataType.INT64, false);
        return QuantizedKernels.fromIntRepr(repr, scales, zeroPoints, pc.axis());
    }

    private static Quantization quantization(NDArray q, NDManager scratch) {
        QScheme scheme = QuantizedKernels.qscheme(q);
        return switch (scheme) {
            case PER_TENSOR_AFFINE -> new Quantization.PerTensor(QuantizedKernels.qScale(q), QuantizedKernels.qZeroPoint(q));
            case PER_CHANNEL_AFFINE -> {
                NDArray scales = QuantizedKernels.qPerChannelScales(q);
                NDArray zeroPoints = QuantizedKernels.qPerChannelZeroPoints(q);
                scales.attach(scratch);
                zeroPoints.attach(scratch);
                yield new Quantization.PerChannel(TensorArrays.toTensor(scales), TensorArrays.toTensor(zeroPoints),
                        QuantizedKernels.qPerChannelAxis(q));
            }
            default -> throw new IllegalArgumentException(scheme + " tensors are not supported");
        };
    }
}
