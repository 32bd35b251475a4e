package io.qcheckpoint.pt;

import java.util.Locale;

/**
 * A tensor element type, named as torch names it ({@code torch.float32} is {@link #FLOAT32}, whose
 * {@link #torchName()} is {@code "float32"}).
 *
 * <p>{@link #storageClass()} is the legacy typed-storage class torch pickles for the type (for
 * example {@code FloatStorage}); types that torch only saves through an untyped storage
 * ({@code _rebuild_tensor_v3}) have none.
 */
public enum DType {
    FLOAT32("float32", 32, "FloatStorage"),
    FLOAT64("float64", 64, "DoubleStorage"),
    FLOAT16("float16", 16, "HalfStorage"),
    BFLOAT16("bfloat16", 16, "BFloat16Storage"),
    INT64("int64", 64, "LongStorage"),
    INT32("int32", 32, "IntStorage"),
    INT16("int16", 16, "ShortStorage"),
    INT8("int8", 8, "CharStorage"),
    UINT8("uint8", 8, "ByteStorage"),
    BOOL("bool", 8, "BoolStorage"),
    COMPLEX32("complex32", 32, "ComplexHalfStorage"),
    COMPLEX64("complex64", 64, "ComplexFloatStorage"),
    COMPLEX128("complex128", 128, "ComplexDoubleStorage"),
    QINT8("qint8", 8, "QInt8Storage"),
    QUINT8("quint8", 8, "QUInt8Storage"),
    QINT32("qint32", 32, "QInt32Storage"),
    QUINT4X2("quint4x2", 4, "QUInt4x2Storage"),
    QUINT2X4("quint2x4", 2, "QUInt2x4Storage"),
    UINT16("uint16", 16, null),
    UINT32("uint32", 32, null),
    UINT64("uint64", 64, null),
    FLOAT8_E4M3FN("float8_e4m3fn", 8, null),
    FLOAT8_E5M2("float8_e5m2", 8, null),
    FLOAT8_E4M3FNUZ("float8_e4m3fnuz", 8, null),
    FLOAT8_E5M2FNUZ("float8_e5m2fnuz", 8, null);

    private final String torchName;
    private final int bits;
    private final String storageClass;

    DType(String torchName, int bits, String storageClass) {
        this.torchName = torchName;
        this.bits = bits;
        this.storageClass = storageClass;
    }

    /** Returns torch's name without the {@code torch.} prefix, e.g. {@code "qint8"}. */
    public String torchName() {
        return torchName;
    }

    /** Returns the size of one element in bits (4 and 2 for the packed sub-byte types). */
    public int bits() {
        return bits;
    }

    /**
     * Returns the size of one storage element in bytes: 1 for the sub-byte types, whose storages
     * count bytes.
     */
    public int storageElementSize() {
        return Math.max(1, bits / 8);
    }

    /** Returns whether several elements share one byte (quint4x2, quint2x4). */
    public boolean isSubByte() {
        return bits < 8;
    }

    /** Returns whether this is one of torch's quantized types (qint8, quint8, qint32, quint4x2, quint2x4). */
    public boolean isQuantized() {
        return torchName.startsWith("q");
    }

    /** Returns whether this is a complex type, whose elements are two floats. */
    public boolean isComplex() {
        return torchName.startsWith("complex");
    }

    /**
     * Returns the size in bytes of the scalars that byte order applies to: an element, or one half
     * of a complex element.
     */
    public int byteSwapUnit() {
        int size = storageElementSize();
        return isComplex() ? size / 2 : size;
    }

    /** Returns the typed-storage class name torch pickles, or null when torch uses an untyped storage. */
    public String storageClass() {
        return storageClass;
    }

    /**
     * Returns the number of bytes that {@code numel} elements of this type occupy, packed.
     *
     * @param numel a number of elements, not negative
     * @return the byte count
     * @throws ArithmeticException if the count overflows a long
     */
    public long byteSize(long numel) {
        if (isSubByte()) {
            int perByte = 8 / bits;
            return numel / perByte + (numel % perByte == 0 ? 0 : 1);
        }
        return Math.multiplyExact(numel, (long) storageElementSize());
    }

    /**
     * Finds the type torch calls {@code name} (an attribute of the {@code torch} module, aliases
     * such as {@code float}, {@code long}, {@code half} included).
     *
     * @param name the attribute name
     * @return the type, or null when there is none of that name
     */
    public static DType fromTorchName(String name) {
        switch (name) {
            case "float": return FLOAT32;
            case "double": return FLOAT64;
            case "half": return FLOAT16;
            case "long": return INT64;
            case "int": return INT32;
            case "short": return INT16;
            case "chalf": return COMPLEX32;
            case "cfloat": return COMPLEX64;
            case "cdouble": return COMPLEX128;
            default:
                for (DType t : values()) {
                    if (t.torchName.equals(name)) {
                        return t;
                    }
                }
                return null;
        }
    }

    /**
     * Finds the type of a typed-storage class name such as {@code FloatStorage}.
     *
     * @param storageClass the class name, without module
     * @return the type, or null when there is none
     */
    public static DType fromStorageClass(String storageClass) {
        for (DType t : values()) {
            if (storageClass.equals(t.storageClass)) {
                return t;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "torch." + torchName.toLowerCase(Locale.ROOT);
    }
}
