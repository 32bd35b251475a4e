package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor as a {@code torch.save} file holds it: a view (offset, shape, strides, in elements) of a
 * {@link Storage}, with its dtype, quantization parameters, and whether it is an
 * {@code nn.Parameter} and requires grad. Immutable; the {@code with...} methods return copies that
 * share the storage.
 *
 * <p>{@link #data()} gives the elements contiguous, row-major and little-endian, without copying when
 * the view already is; {@link #writeData} does the same for tensors of any size.
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final long storageOffset;
    private final long[] shape;
    private final long[] strides;
    private final Quantization quantization;
    private final boolean requiresGrad;
    private final boolean parameter;

    private Tensor(Storage storage, DType dtype, long storageOffset, long[] shape, long[] strides,
                   Quantization quantization, boolean requiresGrad, boolean parameter) {
        this.storage = storage;
        this.dtype = dtype;
        this.storageOffset = storageOffset;
        this.shape = shape;
        this.strides = strides;
        this.quantization = quantization;
        this.requiresGrad = requiresGrad;
        this.parameter = parameter;
    }

    /**
     * Creates a view of {@code storage}, checking that it lies within the storage.
     *
     * @param storage the storage viewed
     * @param dtype the tensor's element type (the storage's, except for untyped storages)
     * @param storageOffset the first element, counted in {@code dtype} elements
     * @param shape the sizes, none negative
     * @param strides the strides in elements, none negative, one per dimension
     * @return the tensor
     * @throws IllegalArgumentException if the view is malformed or reaches past the storage
     * @throws ArithmeticException if its extent overflows a long
     */
    public static Tensor view(Storage storage, DType dtype, long storageOffset, long[] shape, long[] strides) {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(dtype, "dtype");
        long[] sh = shape.clone();
        long[] st = strides.clone();
        checkView(storage, dtype, storageOffset, sh, st);
        return new Tensor(storage, dtype, storageOffset, sh, st, null, false, false);
    }

    /**
     * Creates a contiguous tensor over the whole of {@code storage}.
     *
     * @param storage the storage; its element count must equal the product of {@code shape}
     * @param shape the sizes
     * @return the tensor
     * @throws IllegalArgumentException if the sizes do not match the storage
     */
    public static Tensor contiguous(Storage storage, long... shape) {
        long numel = numelOf(shape);
        if (storage.dtype().byteSize(numel) != storage.nbytes()) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " does not cover a storage of "
                    + storage.numel() + " elements");
        }
        return view(storage, storage.dtype(), 0, shape, contiguousStrides(shape));
    }

    /**
     * Creates a float32 tensor from values in row-major order.
     *
     * @param values the elements
     * @param shape the sizes; their product must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor fromFloats(float[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return contiguous(Storage.wrap(DType.FLOAT32, b), shape);
    }

    /**
     * Creates a float64 tensor from values in row-major order.
     *
     * @param values the elements
     * @param shape the sizes; their product must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor fromDoubles(double[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return contiguous(Storage.wrap(DType.FLOAT64, b), shape);
    }

    /**
     * Creates an int64 tensor from values in row-major order.
     *
     * @param values the elements
     * @param shape the sizes; their product must equal {@code values.length}
     * @return the tensor
     */
    public static Tensor fromLongs(long[] values, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asLongBuffer().put(values);
        return contiguous(Storage.wrap(DType.INT64, b), shape);
    }

    /**
     * Returns a copy marked as quantized with the given parameters.
     *
     * @param q the parameters
     * @return the quantized tensor
     * @throws IllegalArgumentException if the dtype is not quantized, or the channel axis or
     *     count does not fit the shape
     */
    public Tensor withQuantization(Quantization q) {
        Objects.requireNonNull(q, "quantization");
        if (!dtype.isQuantized()) {
            throw new IllegalArgumentException(dtype + " is not a quantized type");
        }
        if (q instanceof Quantization.PerChannel pc
                && (pc.axis() >= shape.length || pc.scales().numel() != shape[pc.axis()])) {
            throw new IllegalArgumentException("per-channel axis " + pc.axis() + " with " + pc.scales().numel()
                    + " channels does not fit shape " + Arrays.toString(shape));
        }
        return new Tensor(storage, dtype, storageOffset, shape, strides, q, requiresGrad, parameter);
    }

    /**
     * Returns a copy with the given requires-grad flag.
     *
     * @param value the flag
     * @return the tensor
     */
    public Tensor withRequiresGrad(boolean value) {
        return new Tensor(storage, dtype, storageOffset, shape, strides, quantization, value, parameter);
    }

    /**
     * Returns a copy that is an {@code nn.Parameter} (written with {@code _rebuild_parameter}).
     *
     * @param requiresGradValue the parameter's requires-grad flag
     * @return the parameter
     */
    public Tensor asParameter(boolean requiresGradValue) {
        return new Tensor(storage, dtype, storageOffset, shape, strides, quantization, requiresGradValue, true);
    }

    /** Returns this tensor without the parameter mark (what {@code _rebuild_parameter} wraps). */
    Tensor asPlainTensor() {
        return new Tensor(storage, dtype, storageOffset, shape, strides, quantization, requiresGrad, false);
    }

    /** Returns the storage this tensor views. */
    public Storage storage() {
        return storage;
    }

    /** Returns the element type. */
    public DType dtype() {
        return dtype;
    }

    /** Returns the offset of the first element in the storage, in elements. */
    public long storageOffset() {
        return storageOffset;
    }

    /** Returns a copy of the sizes. */
    public long[] shape() {
        return shape.clone();
    }

    /** Returns a copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    /** Returns the number of dimensions. */
    public int dim() {
        return shape.length;
    }

    /** Returns the number of elements. */
    public long numel() {
        return numelOf(shape);
    }

    /** Returns the number of bytes {@link #data()} holds. */
    public long nbytes() {
        return dtype.byteSize(numel());
    }

    /** Returns the quantization parameters, or null when not quantized. */
    public Quantization quantization() {
        return quantization;
    }

    /** Returns whether the tensor requires grad. */
    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Returns whether the tensor is an {@code nn.Parameter}. */
    public boolean isParameter() {
        return parameter;
    }

    /** Returns whether the view is contiguous in row-major order (as torch's {@code is_contiguous}). */
    public boolean isContiguous() {
        return numel() == 0 || isPackedContiguous(shape, strides);
    }

    /**
     * Returns the elements contiguous, row-major and little-endian (the integer representation for
     * quantized types, packed bytes for sub-byte types), read-only, positioned at 0. No copy is made
     * when the view is contiguous and stored little-endian.
     *
     * @return the elements
     * @throws IllegalStateException if the tensor holds 2 GiB or more (use {@link #writeData})
     */
    public ByteBuffer data() {
        long n = nbytes();
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("tensor of " + n + " bytes is too large for one buffer; use writeData");
        }
        ByteBuffer out;
        if (isContiguous()) {
            out = storage.rawBytes().slice(byteOffset(), (int) n);
        } else {
            out = ByteBuffer.allocate((int) n);
            gather(out);
            out.flip();
        }
        if (needsSwap()) {
            out = ByteOrders.swapped(out, dtype.byteSwapUnit());
        }
        return out.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Writes the elements, as {@link #data()} gives them, to {@code out}; works for any size.
     *
     * @param out where to write
     * @throws IOException if writing fails
     */
    public void writeData(WritableByteChannel out) throws IOException {
        if (isContiguous() && !needsSwap()) {
            storage.rawBytes().writeTo(byteOffset(), nbytes(), out);
            return;
        }
        if (nbytes() <= 1 << 26) {
            ByteBuffer b = data();
            while (b.hasRemaining()) {
                out.write(b);
            }
            return;
        }
        // Large views go out one row of the leading dimension at a time.
        for (long i = 0; i < shape[0]; i++) {
            long[] rowShape = Arrays.copyOfRange(shape, 1, shape.length);
            long[] rowStrides = Arrays.copyOfRange(strides, 1, strides.length);
            new Tensor(storage, dtype, storageOffset + i * strides[0], rowShape, rowStrides, null, false, false)
                    .writeData(out);
        }
    }

    /**
     * Returns the elements as floats, converting from float16, bfloat16 and float64 (this is how
     * types that DJL cannot hold, such as bfloat16, reach it).
     *
     * @return the elements in row-major order
     * @throws IllegalStateException if the type is not a real floating type
     */
    public float[] toFloatArray() {
        ByteBuffer b = data();
        float[] out = new float[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case FLOAT32 -> b.getFloat(i * 4);
                case FLOAT64 -> (float) b.getDouble(i * 8);
                case FLOAT16 -> halfToFloat(b.getShort(i * 2));
                case BFLOAT16 -> Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                default -> throw new IllegalStateException(dtype + " is not a floating type");
            };
        }
        return out;
    }

    /**
     * Returns the elements as doubles, converting from any real floating type.
     *
     * @return the elements in row-major order
     * @throws IllegalStateException if the type is not a real floating type
     */
    public double[] toDoubleArray() {
        if (dtype == DType.FLOAT64) {
            ByteBuffer b = data();
            double[] out = new double[Math.toIntExact(numel())];
            b.asDoubleBuffer().get(out);
            return out;
        }
        float[] f = toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /**
     * Returns the elements as longs: integer and bool types, and the integer representation of the
     * byte-sized and 32-bit quantized types.
     *
     * @return the elements in row-major order
     * @throws IllegalStateException for floating, complex, 64-bit unsigned and sub-byte types
     */
    public long[] toLongArray() {
        ByteBuffer b = data();
        long[] out = new long[Math.toIntExact(numel())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case INT64 -> b.getLong(i * 8);
                case INT32, QINT32 -> b.getInt(i * 4);
                case UINT32 -> b.getInt(i * 4) & 0xffffffffL;
                case INT16 -> b.getShort(i * 2);
                case UINT16 -> b.getShort(i * 2) & 0xffff;
                case INT8, QINT8 -> b.get(i);
                case UINT8, QUINT8, BOOL -> b.get(i) & 0xff;
                default -> throw new IllegalStateException(dtype + " has no long representation");
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float (Java 17 has no {@code Float.float16ToFloat}). */
    static float halfToFloat(short h) {
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    private boolean needsSwap() {
        return storage.byteOrder() == ByteOrder.BIG_ENDIAN && dtype.byteSwapUnit() > 1;
    }

    private long byteOffset() {
        return dtype.isSubByte() ? storageOffset * dtype.bits() / 8 : storageOffset * dtype.storageElementSize();
    }

    /** Copies the view's elements in row-major order into {@code out}, one innermost run at a time. */
    private void gather(ByteBuffer out) {
        int es = dtype.storageElementSize();
        int last = shape.length - 1;
        boolean innerContiguous = strides[last] == 1;
        long[] index = new long[shape.length];
        StorageBytes src = storage.rawBytes();
        while (true) {
            long element = storageOffset;
            for (int d = 0; d < last; d++) {
                element += index[d] * strides[d];
            }
            if (innerContiguous) {
                int run = (int) (shape[last] * es);
                src.copyTo(element * es, out.slice(out.position(), run));
                out.position(out.position() + run);
            } else {
                for (long i = 0; i < shape[last]; i++) {
                    src.copyTo((element + i * strides[last]) * es, out.slice(out.position(), es));
                    out.position(out.position() + es);
                }
            }
            int d = last - 1;
            while (d >= 0 && ++index[d] == shape[d]) {
                index[d--] = 0;
            }
            if (d < 0) {
                return;
            }
        }
    }

    static long numelOf(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    static long[] contiguousStrides(long[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            st[d] = s;
            s = Math.multiplyExact(s, Math.max(1, shape[d]));
        }
        return st;
    }

    private static void checkView(Storage storage, DType dtype, long offset, long[] shape, long[] strides) {
        if (shape.length != strides.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " and strides "
                    + Arrays.toString(strides) + " differ in length");
        }
        if (offset < 0) {
            throw new IllegalArgumentException("negative storage offset " + offset);
        }
        long extent = 1;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] < 0 || strides[d] < 0) {
                throw new IllegalArgumentException("negative size or stride in shape " + Arrays.toString(shape)
                        + ", strides " + Arrays.toString(strides));
            }
            if (shape[d] == 0) {
                extent = 0;
            }
        }
        numelOf(shape);
        if (extent == 0) {
            return;
        }
        long last = offset;
        for (int d = 0; d < shape.length; d++) {
            last = Math.addExact(last, Math.multiplyExact(shape[d] - 1, strides[d]));
        }
        long needed = dtype.byteSize(Math.addExact(last, 1));
        if (dtype.isSubByte() && (!isPackedContiguous(shape, strides) || offset * dtype.bits() % 8 != 0)) {
            throw new IllegalArgumentException(dtype + " tensors must be contiguous and byte aligned");
        }
        if (needed > storage.nbytes()) {
            throw new IllegalArgumentException("view of shape " + Arrays.toString(shape) + ", strides "
                    + Arrays.toString(strides) + ", offset " + offset + " needs " + needed
                    + " bytes but its storage has " + storage.nbytes());
        }
    }

    private static boolean isPackedContiguous(long[] shape, long[] strides) {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype.torchName() + ", shape=" + Arrays.toString(shape)
                + (quantization == null ? "" : ", " + quantization.scheme().torchName())
                + (parameter ? ", parameter" : "") + ")";
    }
}
