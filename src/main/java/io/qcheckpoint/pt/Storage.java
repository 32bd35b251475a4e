package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A tensor storage: a run of elements of one type that one or more tensors view. Storages read from
 * a file are memory-mapped regions of it (or, for compressed records, read once onto the heap).
 *
 * <p>Several tensors that share a storage in a file share one {@code Storage} object, and are
 * written back sharing it.
 */
public final class Storage {
    private final DType dtype;
    private final long numel;
    private final long nbytes;
    private final ByteOrder byteOrder;
    private StorageBytes bytes;

    Storage(DType dtype, long numel, ByteOrder byteOrder, StorageBytes bytes) {
        this.dtype = Objects.requireNonNull(dtype, "dtype");
        if (numel < 0) {
            throw new IllegalArgumentException("negative storage size " + numel);
        }
        this.numel = numel;
        this.nbytes = Math.multiplyExact(numel, (long) dtype.storageElementSize());
        this.byteOrder = byteOrder;
        this.bytes = bytes;
    }

    /**
     * Wraps little-endian bytes as a storage of the given type; the buffer is not copied, and its
     * remaining bytes must hold a whole number of elements.
     *
     * @param dtype the element type
     * @param littleEndianBytes the elements, from position to limit
     * @return the storage
     * @throws IllegalArgumentException if the byte count is not a whole number of elements
     */
    public static Storage wrap(DType dtype, ByteBuffer littleEndianBytes) {
        int size = littleEndianBytes.remaining();
        if (size % dtype.storageElementSize() != 0) {
            throw new IllegalArgumentException(size + " bytes is not a whole number of " + dtype + " elements");
        }
        return new Storage(dtype, size / dtype.storageElementSize(), ByteOrder.LITTLE_ENDIAN, StorageBytes.of(littleEndianBytes));
    }

    /** Returns the element type the file declared for this storage (uint8 for untyped storages). */
    public DType dtype() {
        return dtype;
    }

    /** Returns the number of elements (bytes, for the sub-byte types and untyped storages). */
    public long numel() {
        return numel;
    }

    /** Returns the storage's size in bytes. */
    public long nbytes() {
        return nbytes;
    }

    /** Returns the byte order of the stored elements ({@code big} only when the file says so). */
    public ByteOrder byteOrder() {
        return byteOrder;
    }

    void bind(StorageBytes data) {
        if (data.size() < nbytes()) {
            throw new IllegalArgumentException("storage needs " + nbytes() + " bytes, record has " + data.size());
        }
        this.bytes = data;
    }

    boolean isBound() {
        return bytes != null;
    }

    StorageBytes rawBytes() {
        if (bytes == null) {
            throw new IllegalStateException("storage data not read yet");
        }
        return bytes;
    }

    /**
     * Writes the whole storage to {@code out}, little-endian.
     *
     * @param out where to write
     * @throws IOException if writing fails
     */
    public void writeLittleEndian(WritableByteChannel out) throws IOException {
        if (byteOrder == ByteOrder.LITTLE_ENDIAN || dtype.byteSwapUnit() == 1) {
            rawBytes().writeTo(0, nbytes(), out);
            return;
        }
        long done = 0;
        while (done < nbytes()) {
            int n = (int) Math.min(nbytes() - done, 1 << 20);
            ByteBuffer part = ByteOrders.swapped(rawBytes().slice(done, n), dtype.byteSwapUnit());
            while (part.hasRemaining()) {
                out.write(part);
            }
            done += n;
        }
    }
}
