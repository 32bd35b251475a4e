package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * Writes a zip as torch 1.13's {@code PyTorchStreamWriter} (miniz) does, byte for byte: every record
 * stored, its data 64-byte aligned (padding of {@code 'Z'} bytes in an {@code FB} extra field),
 * flags 0x0808 (UTF-8 names, data descriptor), zero times, a local header without CRC or sizes
 * followed by the data and a data descriptor (an empty record: flags 0x0800 and no descriptor),
 * ZIP64 fields where a size or offset needs them, and always a ZIP64 end record. Aligned stored records are what {@code torch.load(mmap=True)} needs.
 */
final class ZipWriter {
    private static final int ALIGNMENT = 64;
    private static final long MAX32 = 0xffffffffL;
    /** General purpose flags: bit 11 (UTF-8 name) always, bit 3 (sizes in a data descriptor) for a non-empty record. */
    private static final short UTF8_NAME = 0x0800;
    private static final short DESCRIPTOR = 0x0008;
    /** The ZIP64 end record's "version made by" (Unix, 3.0) and "version needed" (4.5), as miniz writes them. */
    private static final short ZIP64_MADE_BY = 0x031e;
    private static final short ZIP64_NEEDED = 45;
    private static final byte PAD = 'Z';

    /** A record's content, written once, checksummed on its way. */
    interface Content {
        long size();

        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Written(byte[] name, long crc, long size, long offset) {
        boolean zip64() {
            return size >= MAX32 || offset >= MAX32;
        }

        short flags() {
            return size == 0 ? UTF8_NAME : UTF8_NAME | DESCRIPTOR;
        }
    }

    private final FileChannel out;
    private final List<Written> written = new ArrayList<>();

    ZipWriter(FileChannel out) {
        this.out = out;
    }

    /** Adds a record holding {@code data}'s remaining bytes. */
    void add(String name, ByteBuffer data) throws IOException {
        ByteBuffer d = data.slice();
        add(name, new Content() {
            @Override
            public long size() {
                return d.remaining();
            }

            @Override
            public void writeTo(WritableByteChannel ch) throws IOException {
                ByteBuffer b = d.duplicate();
                while (b.hasRemaining()) {
                    ch.write(b);
                }
            }
        });
    }

    /**
     * Adds a record with the given content: a local header without CRC or sizes, the data
     * (checksummed on its way to the file), then a data descriptor with both.
     */
    void add(String name, Content content) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        long offset = out.position();
        long size = content.size();
        Written w = new Written(nameBytes, 0, size, offset);
        // miniz's local ZIP64 field: the size (and a compressed size of 0, not known yet), then the offset
        ByteBuffer zip64 = zip64Extra(w, 0);
        int zip64Len = zip64.remaining();
        long base = offset + 30 + nameBytes.length + zip64Len + 4;
        int pad = (int) ((ALIGNMENT - base % ALIGNMENT) % ALIGNMENT);
        ByteBuffer h = le(30 + nameBytes.length + zip64Len + 4 + pad);
        h.putInt(0x04034b50).putShort((short) 0).putShort(w.flags()).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0)
                .putShort((short) nameBytes.length).putShort((short) (zip64Len + 4 + pad)).put(nameBytes).put(zip64);
        h.putShort((short) 0x4246).putShort((short) pad);
        for (int i = 0; i < pad; i++) {
            h.put(PAD);
        }
        writeFully(h.flip());
        ChecksummingChannel data = new ChecksummingChannel(out);
        content.writeTo(data);
        if (data.count != size) {
            throw new IllegalStateException("record " + name + " wrote " + data.count + " bytes, declared " + size);
        }
        long crc = data.crc.getValue();
        written.add(new Written(nameBytes, crc, size, offset));
        if (size == 0) {
            return;
        }
        ByteBuffer descriptor = le(w.zip64() ? 24 : 16).putInt(0x08074b50).putInt((int) crc);
        if (w.zip64()) {
            descriptor.putLong(size).putLong(size);
        } else {
            descriptor.putInt((int) size).putInt((int) size);
        }
        writeFully(descriptor.flip());
    }

    /** Writes the central directory and the end records; the archive is complete after this. */
    void finish() throws IOException {
        long cdStart = out.position();
        for (Written w : written) {
            writeFully(centralEntry(w));
        }
        long cdSize = out.position() - cdStart;
        long z64Start = out.position();
        int n = written.size();
        ByteBuffer end = le(56 + 20 + 22);
        end.putInt(0x06064b50).putLong(44).putShort(ZIP64_MADE_BY).putShort(ZIP64_NEEDED).putInt(0).putInt(0)
                .putLong(n).putLong(n).putLong(cdSize).putLong(cdStart);
        end.putInt(0x07064b50).putInt(0).putLong(z64Start).putInt(1);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) Math.min(n, 0xffff))
                .putShort((short) Math.min(n, 0xffff)).putInt((int) Math.min(cdSize, MAX32))
                .putInt((int) Math.min(cdStart, MAX32)).putShort((short) 0);
        writeFully(end.flip());
    }

    private ByteBuffer centralEntry(Written w) {
        ByteBuffer zip64 = zip64Extra(w, w.size());
        ByteBuffer c = le(46 + w.name().length + zip64.remaining());
        boolean bigSize = w.size() >= MAX32;
        c.putInt(0x02014b50).putShort((short) 0).putShort((short) 0).putShort(w.flags()).putShort((short) 0)
                .putShort((short) 0).putShort((short) 0).putInt((int) w.crc()).putInt((int) (bigSize ? MAX32 : w.size()))
                .putInt((int) (bigSize ? MAX32 : w.size())).putShort((short) w.name().length)
                .putShort((short) zip64.remaining()).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                .putInt((int) Math.min(w.offset(), MAX32)).put(w.name()).put(zip64);
        return c.flip();
    }

    /**
     * miniz's ZIP64 extra field: empty unless the size or the offset needs 64 bits; then the
     * uncompressed and compressed sizes (when the size does) and the offset (when it does).
     */
    private static ByteBuffer zip64Extra(Written w, long compressedSize) {
        if (!w.zip64()) {
            return le(0);
        }
        boolean bigSize = w.size() >= MAX32;
        boolean bigOffset = w.offset() >= MAX32;
        int len = (bigSize ? 16 : 0) + (bigOffset ? 8 : 0);
        ByteBuffer b = le(4 + len).putShort((short) 1).putShort((short) len);
        if (bigSize) {
            b.putLong(w.size()).putLong(compressedSize);
        }
        if (bigOffset) {
            b.putLong(w.offset());
        }
        return b.flip();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    /** Passes writes on to the file, checksumming and counting exactly the bytes it accepted. */
    private static final class ChecksummingChannel implements WritableByteChannel {
        private final WritableByteChannel target;
        private final CRC32 crc = new CRC32();
        private long count;

        ChecksummingChannel(WritableByteChannel target) {
            this.target = target;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            ByteBuffer written = src.duplicate();
            int n = target.write(src);
            crc.update(written.limit(written.position() + n));
            count += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return target.isOpen();
        }

        @Override
        public void close() {
            // The file belongs to the ZipWriter's caller.
        }
    }
}
