package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;

/**
 * The bytes of one file being read: memory-mapped from a file channel, or held in memory (a file
 * of another file system, a byte array, a stream). Readers take regions of it, checked against its
 * size by the caller, without copying where the bytes already lie in one buffer.
 */
abstract class Source {
    /** The largest file mapped as one buffer, and the largest region handed out at once. */
    static final long MAX_BUFFER = Integer.MAX_VALUE - 8;

    /** Returns the file's size in bytes. */
    abstract long size();

    /**
     * Returns bytes [offset, offset+length), little-endian.
     *
     * @throws IOException if reading fails
     */
    abstract ByteBuffer region(long offset, int length) throws IOException;

    /**
     * Returns bytes [offset, offset+length) as a storage's bytes, of any length.
     *
     * @throws IOException if reading fails
     */
    abstract StorageBytes storage(long offset, long length) throws IOException;

    /** A file on the default file system: mapped once when it fits one buffer, else region by region. */
    static Source mapped(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size <= MAX_BUFFER) {
            return inMemory(channel.map(FileChannel.MapMode.READ_ONLY, 0, size));
        }
        return new Source() {
            @Override
            long size() {
                return size;
            }

            @Override
            ByteBuffer region(long offset, int length) throws IOException {
                return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
            }

            @Override
            StorageBytes storage(long offset, long length) throws IOException {
                return StorageBytes.map(channel, offset, length);
            }
        };
    }

    /** Bytes already in one buffer (mapped, or on the heap). */
    static Source inMemory(ByteBuffer bytes) {
        ByteBuffer whole = bytes.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new Source() {
            @Override
            long size() {
                return whole.capacity();
            }

            @Override
            ByteBuffer region(long offset, int length) {
                return whole.slice((int) offset, length).order(ByteOrder.LITTLE_ENDIAN);
            }

            @Override
            StorageBytes storage(long offset, long length) {
                return StorageBytes.of(region(offset, (int) length));
            }
        };
    }
}
