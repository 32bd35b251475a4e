package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The raw bytes of a storage: one buffer, or several for storages over what one ByteBuffer can
 * address. Buffers are memory-mapped file regions or heap arrays, never copied on the way in.
 */
final class StorageBytes {
    /** The largest region mapped as one buffer; a power of two keeps chunk arithmetic simple. */
    static final int CHUNK = 1 << 30;
    /** The most bytes of a heap buffer handed to a channel at once. */
    static final int WRITE_SLICE = 4 << 20;

    private final ByteBuffer[] chunks;
    private final long size;

    private StorageBytes(ByteBuffer[] chunks, long size) {
        this.chunks = chunks;
        this.size = size;
    }

    static StorageBytes of(ByteBuffer buffer) {
        ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
        return new StorageBytes(new ByteBuffer[] {b}, b.remaining());
    }

    static StorageBytes map(FileChannel channel, long offset, long length) throws IOException {
        int n = (int) Math.max(1, (length + CHUNK - 1) / CHUNK);
        ByteBuffer[] chunks = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            long start = (long) i * CHUNK;
            long len = Math.min(CHUNK, length - start);
            chunks[i] = channel.map(FileChannel.MapMode.READ_ONLY, offset + start, len).order(ByteOrder.LITTLE_ENDIAN);
        }
        return new StorageBytes(chunks, length);
    }

    long size() {
        return size;
    }

    /** Returns bytes [offset, offset+length) without copying when they lie in one chunk. */
    ByteBuffer slice(long offset, int length) {
        int chunk = (int) (offset / CHUNK);
        int within = (int) (offset % CHUNK);
        if (chunk < chunks.length && within + (long) length <= chunks[chunk].capacity()) {
            return chunks[chunk].slice(within, length).order(ByteOrder.LITTLE_ENDIAN);
        }
        ByteBuffer copy = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        copyTo(offset, copy);
        return copy.flip();
    }

    /** Copies {@code dst.remaining()} bytes starting at {@code offset} into {@code dst}. */
    void copyTo(long offset, ByteBuffer dst) {
        long pos = offset;
        while (dst.hasRemaining()) {
            ByteBuffer c = chunks[(int) (pos / CHUNK)];
            int within = (int) (pos % CHUNK);
            int n = Math.min(dst.remaining(), c.capacity() - within);
            dst.put(dst.position(), c, within, n);
            dst.position(dst.position() + n);
            pos += n;
        }
    }

    /** Writes bytes [offset, offset+length) to {@code out}. */
    void writeTo(long offset, long length, WritableByteChannel out) throws IOException {
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            ByteBuffer c = chunks[(int) (pos / CHUNK)];
            int within = (int) (pos % CHUNK);
            int n = (int) Math.min(end - pos, c.capacity() - within);
            if (!c.isDirect()) {
                // The JDK copies a heap buffer into a temporary direct buffer as large as what is written:
                // bound it, so that writing a large heap tensor needs neither a huge native buffer nor
                // fresh memory each time.
                n = Math.min(n, WRITE_SLICE);
            }
            ByteBuffer part = c.slice(within, n);
            while (part.hasRemaining()) {
                out.write(part);
            }
            pos += n;
        }
    }
}
