package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.Storage;
import io.qcheckpoint.pt.Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Converts the elements of (non-quantized) {@link Tensor}s into DJL {@link NDArray}s and back.
 *
 * <p>DJL's native side only holds float32, float64, float16, uint8, int8, int32, int64 and bool;
 * creating any other type aborts the JVM. So the table below widens the rest in Java first, exactly
 * (bfloat16 to float32, int16 and uint16 to int32, uint32 to int64), and refuses what cannot be held
 * without loss (uint64, complex, float8). Quantized tensors are not plain data: they go through the
 * op library.
 */
public final class TensorArrays {
    /** How each dtype reaches DJL: the DJL type, and the bytes in that type's little-endian layout. */
    private record Conversion(DataType target, Function<Tensor, ByteBuffer> bytes) {
    }

    private static final Map<DType, Conversion> TO_DJL = table();

    private TensorArrays() {
    }

    /**
     * Returns the DJL type a tensor of {@code dtype} becomes.
     *
     * @param dtype the tensor's type
     * @return the NDArray's type
     * @throws IllegalArgumentException if DJL cannot hold the type without loss, or it is quantized
     */
    public static DataType djlType(DType dtype) {
        return conversion(dtype).target();
    }

    /**
     * Copies a tensor's elements into a new NDArray owned by {@code manager}, widening as
     * {@link #djlType} says.
     *
     * @param manager the owner of the new array (closing it frees the array)
     * @param tensor the tensor, contiguous or a view
     * @return the array, of the tensor's shape
     * @throws IllegalArgumentException if DJL cannot hold the type without loss, or it is quantized
     */
    public static NDArray toNDArray(NDManager manager, Tensor tensor) {
        return owningCopy(overBytes(manager, tensor));
    }

    /**
     * Returns an array over a tensor's bytes (a mapped storage's in place, else a direct copy of
     * them), which lives only as long as those bytes: for a caller that hands it at once to a
     * libtorch op that copies it, such as building a quantized tensor from its integers.
     *
     * @param manager the owner of the array
     * @param tensor the tensor, contiguous or a view
     * @return the array, of the tensor's shape
     * @throws IllegalArgumentException if DJL cannot hold the type without loss, or it is quantized
     */
    static NDArray overBytes(NDManager manager, Tensor tensor) {
        Conversion c = conversion(tensor.dtype());
        ByteBuffer bytes = c.bytes().apply(tensor);
        ByteBuffer direct;
        if (bytes.isDirect() && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            // a mapped storage's bytes: libtorch reads them in place (for the owning copy, or the caller's op), so no
            // intermediate direct buffer (slice: libtorch takes the buffer's address, not its position)
            direct = bytes.slice().order(ByteOrder.nativeOrder());
        } else {
            direct = ByteBuffer.allocateDirect(bytes.remaining()).order(ByteOrder.nativeOrder());
            direct.put(bytes.duplicate()).flip();
        }
        return manager.create(direct, new Shape(tensor.shape()), c.target());
    }

    /**
     * Returns a copy of an array that DJL's {@code NDManager.create} made from Java data, and closes
     * that array. DJL leaves such an array over the Java buffer's memory, which dies with the buffer,
     * while views of it and libtorch objects built from it (a quantizer's scales, a packed bias) may
     * live longer: the copy owns its memory in libtorch.
     *
     * @param overJavaMemory the array just created from Java data; closed by this call
     * @return the copy, owned by the same manager
     */
    public static NDArray owningCopy(NDArray overJavaMemory) {
        try (overJavaMemory) {
            return overJavaMemory.duplicate();
        }
    }

    /**
     * Copies an NDArray's elements into a new contiguous tensor of the matching dtype.
     *
     * @param array the array (float32, float64, float16, uint8, int8, int32, int64 or bool)
     * @return the tensor
     * @throws IllegalArgumentException for any other DJL type
     */
    public static Tensor toTensor(NDArray array) {
        DType dtype = switch (array.getDataType()) {
            case FLOAT32 -> DType.FLOAT32;
            case FLOAT64 -> DType.FLOAT64;
            case FLOAT16 -> DType.FLOAT16;
            case UINT8 -> DType.UINT8;
            case INT8 -> DType.INT8;
            case INT32 -> DType.INT32;
            case INT64 -> DType.INT64;
            case BOOLEAN -> DType.BOOL;
            default -> throw new IllegalArgumentException("no tensor type for an NDArray of " + array.getDataType());
        };
        ByteBuffer data = array.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer copy = ByteBuffer.allocate(data.remaining()).order(ByteOrder.LITTLE_ENDIAN).put(data).flip();
        return Tensor.contiguous(Storage.wrap(dtype, copy), array.getShape().getShape());
    }

    private static Conversion conversion(DType dtype) {
        Conversion c = TO_DJL.get(dtype);
        if (c == null) {
            throw new IllegalArgumentException(dtype + (dtype.isQuantized()
                    ? " tensors are quantized; build them through the op library"
                    : " cannot be held by DJL without loss (it aborts on this type), and is not converted"));
        }
        return c;
    }

    private static Map<DType, Conversion> table() {
        Map<DType, Conversion> t = new EnumMap<>(DType.class);
        t.put(DType.FLOAT32, new Conversion(DataType.FLOAT32, Tensor::data));
        t.put(DType.FLOAT64, new Conversion(DataType.FLOAT64, Tensor::data));
        t.put(DType.FLOAT16, new Conversion(DataType.FLOAT16, Tensor::data));
        t.put(DType.UINT8, new Conversion(DataType.UINT8, Tensor::data));
        t.put(DType.INT8, new Conversion(DataType.INT8, Tensor::data));
        t.put(DType.INT32, new Conversion(DataType.INT32, Tensor::data));
        t.put(DType.INT64, new Conversion(DataType.INT64, Tensor::data));
        t.put(DType.BOOL, new Conversion(DataType.BOOLEAN, Tensor::data));
        t.put(DType.BFLOAT16, new Conversion(DataType.FLOAT32, TensorArrays::floats));
        t.put(DType.INT16, new Conversion(DataType.INT32, x -> pack(x.toLongArray(), Integer.BYTES)));
        t.put(DType.UINT16, new Conversion(DataType.INT32, x -> pack(x.toLongArray(), Integer.BYTES)));
        t.put(DType.UINT32, new Conversion(DataType.INT64, x -> pack(x.toLongArray(), Long.BYTES)));
        return t;
    }

    private static ByteBuffer floats(Tensor t) {
        float[] v = t.toFloatArray();
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(v);
        return b;
    }

    /** Lays integer values out little-endian, {@code width} bytes each (4 or 8); they fit by construction. */
    private static ByteBuffer pack(long[] values, int width) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            if (width == Integer.BYTES) {
                b.putInt((int) v);
            } else {
                b.putLong(v);
            }
        }
        return b.flip();
    }
}
