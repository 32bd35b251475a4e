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
 * Writes a zip the way torch does: every record stored, its data 64-byte aligned (padding in an
 * {@code FB} extra field), ZIP64 fields where sizes or offsets need them, and always a ZIP64 end
 * record. Aligned stored records are what {@code torch.load(mmap=True)} needs.
 */
final class ZipWriter {
    private static final int ALIGNMENT = 64;
    private static final long MAX32 = 0xffffffffL;
    private static final int DOS_DATE_1980 = 0x21;
    /** Where the CRC-32 sits in a local file header. */
    private static final int CRC_OFFSET = 14;

    /** A record's content, written twice: once to checksum it, once to the file. */
    interface Content {
        long size();

        void writeTo(WritableByteChannel out) throws IOException;
    }

    private record Written(byte[] name, long crc, long size, long offset) {
        boolean zip64() {
            return size >= MAX32 || offset >= MAX32;
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
     * Adds a record with the given content, read once: it is checksummed on its way to the file,
     * and the CRC is then written into the local header, which has a fixed slot for it.
     */
    void add(String name, Content content) throws IOException {
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        long offset = out.position();
        long size = content.size();
        boolean zip64 = size >= MAX32;
        int zip64Len = zip64 ? 20 : 0;
        long base = offset + 30 + nameBytes.length + zip64Len + 4;
        int pad = (int) ((ALIGNMENT - base % ALIGNMENT) % ALIGNMENT);
        ByteBuffer h = le(30 + nameBytes.length + zip64Len + 4 + pad);
        h.putInt(0x04034b50).putShort((short) (zip64 ? 45 : 20)).putShort(flags(name)).putShort((short) 0)
                .putShort((short) 0).putShort((short) DOS_DATE_1980).putInt(0)
                .putInt((int) (zip64 ? MAX32 : size)).putInt((int) (zip64 ? MAX32 : size))
                .putShort((short) nameBytes.length).putShort((short) (zip64Len + 4 + pad)).put(nameBytes);
        if (zip64) {
            h.putShort((short) 1).putShort((short) 16).putLong(size).putLong(size);
        }
        h.putShort((short) 0x4246).putShort((short) pad).put(new byte[pad]);
        writeFully(h.flip());
        ChecksummingChannel data = new ChecksummingChannel(out);
        content.writeTo(data);
        if (data.count != size) {
            throw new IllegalStateException("record " + name + " wrote " + data.count + " bytes, declared " + size);
        }
        ByteBuffer crc = le(4).putInt((int) data.crc.getValue()).flip();
        while (crc.hasRemaining()) {
            out.write(crc, offset + CRC_OFFSET + crc.position());
        }
        written.add(new Written(nameBytes, data.crc.getValue(), size, offset));
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
        end.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(n).putLong(n).putLong(cdSize).putLong(cdStart);
        end.putInt(0x07064b50).putInt(0).putLong(z64Start).putInt(1);
        end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) Math.min(n, 0xffff))
                .putShort((short) Math.min(n, 0xffff)).putInt((int) Math.min(cdSize, MAX32))
                .putInt((int) Math.min(cdStart, MAX32)).putShort((short) 0);
        writeFully(end.flip());
    }

    private ByteBuffer centralEntry(Written w) {
        boolean bigSize = w.size() >= MAX32;
        boolean bigOffset = w.offset() >= MAX32;
        int zip64Len = w.zip64() ? 4 + (bigSize ? 16 : 0) + (bigOffset ? 8 : 0) : 0;
        ByteBuffer c = le(46 + w.name().length + zip64Len);
        c.putInt(0x02014b50).putShort((short) 45).putShort((short) (w.zip64() ? 45 : 20))
                .putShort(flags(new String(w.name(), StandardCharsets.UTF_8))).putShort((short) 0).putShort((short) 0)
                .putShort((short) DOS_DATE_1980).putInt((int) w.crc()).putInt((int) (bigSize ? MAX32 : w.size()))
                .putInt((int) (bigSize ? MAX32 : w.size())).putShort((short) w.name().length)
                .putShort((short) zip64Len).putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0)
                .putInt((int) (bigOffset ? MAX32 : w.offset())).put(w.name());
        if (w.zip64()) {
            c.putShort((short) 1).putShort((short) (zip64Len - 4));
            if (bigSize) {
                c.putLong(w.size()).putLong(w.size());
            }
            if (bigOffset) {
                c.putLong(w.offset());
            }
        }
        return c.flip();
    }

    private static short flags(String name) {
        // Bit 11: the name is UTF-8; set only when it is not plain ASCII, as torch leaves it clear.
        return (short) (name.chars().allMatch(ch -> ch < 0x80) ? 0 : 0x800);
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
