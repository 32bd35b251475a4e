package io.qcheckpoint.pt;

import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.function.Consumer;

/**
 * A channel that hands every buffer written to it to a consumer, such as a checksum or a digest:
 * the way to stream {@link Tensor#writeData} or {@link Storage#writeLittleEndian} into one.
 */
public final class ByteSink implements WritableByteChannel {
    private final Consumer<ByteBuffer> consumer;
    private long count;

    private ByteSink(Consumer<ByteBuffer> consumer) {
        this.consumer = consumer;
    }

    /**
     * Creates a sink; the consumer must consume each buffer's remaining bytes.
     *
     * @param consumer for example {@code messageDigest::update} or {@code crc32::update}
     * @return the sink
     */
    public static ByteSink of(Consumer<ByteBuffer> consumer) {
        return new ByteSink(consumer);
    }

    /** Returns how many bytes were written so far. */
    public long count() {
        return count;
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        consumer.accept(src);
        src.position(src.limit());
        count += n;
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
        // Nothing to release; the consumer owns its state.
    }
}
