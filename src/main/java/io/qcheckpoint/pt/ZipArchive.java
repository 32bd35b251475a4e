package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a zip archive through its central directory, as torch's own reader does: ZIP64, data
 * descriptors, stored or deflated records, any root folder. Every offset and size is checked
 * against the file's real size before it is used; stored records are memory-mapped.
 */
final class ZipArchive {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;
    /** Deflate cannot expand data by more than about 1032:1; a larger claim is a lie. */
    private static final long MAX_DEFLATE_RATIO = 1032;
    /** The scratch buffer that measures a deflated record before it gets its own. */
    private static final int INFLATE_CHUNK = 1 << 20;

    /** One record's location: its local header at {@code headerOffset}, its data at {@code dataOffset}. */
    record Entry(String name, int method, long compressedSize, long size, long headerOffset, long dataOffset) {
        long end() {
            return dataOffset + compressedSize;
        }
    }

    private final Source source;
    private final String file;
    private final Map<String, Entry> entries;
    private final String root;

    private ZipArchive(Source source, String file, Map<String, Entry> entries, String root) {
        this.source = source;
        this.file = file;
        this.entries = entries;
        this.root = root;
    }

    /**
     * Reads the central directory of the zip in {@code source}.
     *
     * @param source the file's bytes
     * @param file the file's name, for messages
     * @return the archive
     * @throws CheckpointFormatException if the directory is missing, truncated or inconsistent
     * @throws IOException if reading fails
     */
    static ZipArchive open(Source source, String file) throws IOException {
        long size = source.size();
        ByteBuffer tail = source.region(Math.max(0, size - 65557), (int) Math.min(size, 65557));
        int eocd = findEocd(tail);
        if (eocd < 0) {
            throw new CheckpointFormatException(file, "no zip end-of-central-directory record (truncated?)");
        }
        long eocdPos = size - tail.capacity() + eocd;
        long count = tail.getShort(eocd + 10) & 0xffff;
        long cdSize = tail.getInt(eocd + 12) & 0xffffffffL;
        long cdOffset = tail.getInt(eocd + 16) & 0xffffffffL;
        if (eocd >= 20 && tail.getInt(eocd - 20) == ZIP64_LOCATOR_SIG) {
            long z64 = tail.getLong(eocd - 12);
            if (z64 < 0 || z64 > eocdPos - 56) {
                throw new CheckpointFormatException(file, "ZIP64 end record offset " + z64 + " is outside the file");
            }
            ByteBuffer z = source.region(z64, 56);
            if (z.getInt(0) != ZIP64_EOCD_SIG) {
                throw new CheckpointFormatException(file, "no ZIP64 end record at offset " + z64);
            }
            count = z.getLong(32);
            cdSize = z.getLong(40);
            cdOffset = z.getLong(48);
        }
        if (cdOffset < 0 || cdSize < 0 || cdOffset > eocdPos || cdSize > eocdPos - cdOffset) {
            throw new CheckpointFormatException(file, "central directory (offset " + cdOffset + ", size " + cdSize
                    + ") lies outside the file of " + size + " bytes");
        }
        if (cdSize > Integer.MAX_VALUE) {
            throw new CheckpointFormatException(file, "central directory of " + cdSize + " bytes is implausibly large");
        }
        if (count < 0 || count > cdSize / 46) {
            throw new CheckpointFormatException(file, "central directory claims " + count
                    + " entries but holds at most " + cdSize / 46);
        }
        ByteBuffer cd = source.region(cdOffset, (int) cdSize);
        Map<String, Entry> entries = new LinkedHashMap<>();
        String root = null;
        for (long i = 0; i < count; i++) {
            Entry e = readEntry(source, file, cd, size);
            if (root == null) {
                int slash = e.name().indexOf('/');
                root = slash < 0 ? "" : e.name().substring(0, slash + 1);
            }
            if (entries.putIfAbsent(e.name(), e) != null) {
                // torch's reader and Python's zipfile would each pick one of the two: refuse the ambiguity
                throw new CheckpointFormatException(file, "the zip holds two records named " + e.name());
            }
        }
        if (root == null) {
            throw new CheckpointFormatException(file, "the zip archive is empty");
        }
        requireDisjoint(entries.values(), cdOffset, file);
        return new ZipArchive(source, file, Collections.unmodifiableMap(entries), root);
    }

    /** No record's bytes overlap another's or the central directory, so every reader sees the same data. */
    private static void requireDisjoint(Collection<Entry> entries, long cdOffset, String file)
            throws CheckpointFormatException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::headerOffset));
        for (int i = 0; i < byOffset.size(); i++) {
            Entry e = byOffset.get(i);
            long next = i + 1 < byOffset.size() ? byOffset.get(i + 1).headerOffset() : cdOffset;
            if (e.end() > next) {
                throw new CheckpointFormatException(file, "record " + e.name() + " overlaps "
                        + (i + 1 < byOffset.size() ? "record " + byOffset.get(i + 1).name() : "the central directory"));
            }
        }
    }

    private static int findEocd(ByteBuffer tail) {
        for (int p = tail.capacity() - 22; p >= 0; p--) {
            if (tail.getInt(p) == EOCD_SIG && p + 22 + (tail.getShort(p + 20) & 0xffff) == tail.capacity()) {
                return p;
            }
        }
        return -1;
    }

    private static Entry readEntry(Source source, String file, ByteBuffer cd, long fileSize) throws IOException {
        if (cd.remaining() < 46 || cd.getInt(cd.position()) != CENTRAL_SIG) {
            throw new CheckpointFormatException(file, "corrupt central directory entry at directory offset " + cd.position());
        }
        int p = cd.position();
        int method = cd.getShort(p + 10) & 0xffff;
        long csize = cd.getInt(p + 20) & 0xffffffffL;
        long usize = cd.getInt(p + 24) & 0xffffffffL;
        int nameLen = cd.getShort(p + 28) & 0xffff;
        int extraLen = cd.getShort(p + 30) & 0xffff;
        int commentLen = cd.getShort(p + 32) & 0xffff;
        long offset = cd.getInt(p + 42) & 0xffffffffL;
        if (46L + nameLen + extraLen + commentLen > cd.remaining()) {
            throw new CheckpointFormatException(file, "central directory entry runs past the directory");
        }
        byte[] nameBytes = new byte[nameLen];
        cd.get(p + 46, nameBytes);
        String name = new String(nameBytes, StandardCharsets.UTF_8);
        // ZIP64 extra field: the 8-byte values, in this order, for fields that hold 0xFFFFFFFF.
        int x = p + 46 + nameLen;
        int xEnd = x + extraLen;
        while (x + 4 <= xEnd) {
            int id = cd.getShort(x) & 0xffff;
            int len = cd.getShort(x + 2) & 0xffff;
            if (x + 4 + len > xEnd) {
                break;
            }
            if (id == 1) {
                int q = x + 4;
                if (usize == 0xffffffffL && q + 8 <= x + 4 + len) {
                    usize = cd.getLong(q);
                    q += 8;
                }
                if (csize == 0xffffffffL && q + 8 <= x + 4 + len) {
                    csize = cd.getLong(q);
                    q += 8;
                }
                if (offset == 0xffffffffL && q + 8 <= x + 4 + len) {
                    offset = cd.getLong(q);
                }
            }
            x += 4 + len;
        }
        cd.position(p + 46 + nameLen + extraLen + commentLen);
        if (offset < 0 || offset > fileSize - 30) {
            throw new CheckpointFormatException(file, "record " + name + " has its local header at " + offset
                    + ", outside the file of " + fileSize + " bytes");
        }
        ByteBuffer local = source.region(offset, 30);
        if (local.getInt(0) != LOCAL_SIG) {
            throw new CheckpointFormatException(file, "record " + name + ": no local header at offset " + offset);
        }
        int localNameLen = local.getShort(26) & 0xffff;
        long data = offset + 30 + localNameLen + (local.getShort(28) & 0xffff);
        if (data > fileSize || (local.getShort(8) & 0xffff) != method || !localName(source, offset, localNameLen).equals(name)) {
            throw new CheckpointFormatException(file, "record " + name + ": its local header at offset " + offset
                    + " disagrees with the central directory (name or compression method)");
        }
        if (csize < 0 || usize < 0 || data > fileSize || csize > fileSize - data) {
            throw new CheckpointFormatException(file, "record " + name + " (" + csize + " bytes at offset " + data
                    + ") runs past the end of the file of " + fileSize + " bytes");
        }
        return new Entry(name, method, csize, usize, offset, data);
    }

    private static String localName(Source source, long offset, int length) throws IOException {
        ByteBuffer b = source.region(offset + 30, length);
        byte[] bytes = new byte[length];
        b.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Returns the root folder, with its trailing slash ({@code ""} for none). */
    String root() {
        return root;
    }

    /** Returns all records by full name, in directory order. */
    Map<String, Entry> entries() {
        return entries;
    }

    /** Returns the record {@code root + relName}, or null. */
    Entry entry(String relName) {
        return entries.get(root + relName);
    }

    /**
     * Returns a record's bytes: memory-mapped when stored, inflated onto the heap (bounded by what
     * its compressed size allows) when deflated.
     *
     * @param e the record
     * @return its uncompressed bytes
     * @throws CheckpointFormatException if the method is unknown or the data disagree with the sizes
     * @throws IOException if reading fails
     */
    StorageBytes bytes(Entry e) throws IOException {
        if (e.method() == STORED) {
            if (e.size() != e.compressedSize()) {
                throw new CheckpointFormatException(file, "stored record " + e.name() + " has size " + e.size()
                        + " but " + e.compressedSize() + " bytes of data");
            }
            return source.storage(e.dataOffset(), e.size());
        }
        if (e.method() != DEFLATED) {
            throw new CheckpointFormatException(file, "record " + e.name() + " uses compression method "
                    + e.method() + "; only stored (0) and deflated (8) are supported");
        }
        return StorageBytes.of(ByteBuffer.wrap(inflate(e)));
    }

    private byte[] inflate(Entry e) throws IOException {
        long limit = Math.min(Integer.MAX_VALUE - 8L, e.compressedSize() * MAX_DEFLATE_RATIO + 1024);
        if (e.size() > limit) {
            throw new CheckpointFormatException(file, "deflated record " + e.name() + " claims " + e.size()
                    + " bytes from " + e.compressedSize() + " compressed bytes, more than deflate can produce"
                    + " (or over 2 GiB)");
        }
        // Inflated twice: once into a small scratch buffer to prove the declared size true, then into
        // a buffer of exactly that size. A record that lies about its size so costs only the scratch.
        if (e.compressedSize() > Source.MAX_BUFFER) {
            throw new CheckpointFormatException(file, "deflated record " + e.name() + " of " + e.compressedSize()
                    + " compressed bytes is over 2 GiB");
        }
        ByteBuffer in = source.region(e.dataOffset(), (int) e.compressedSize());
        try {
            byte[] scratch = new byte[(int) Math.max(1, Math.min(e.size(), INFLATE_CHUNK))];
            if (inflate(in.duplicate(), scratch, e.size(), false) != e.size()) {
                throw new CheckpointFormatException(file, "deflated record " + e.name() + " does not inflate to its"
                        + " declared " + e.size() + " bytes");
            }
            byte[] out = new byte[(int) e.size()];
            inflate(in, out, e.size(), true);
            return out;
        } catch (DataFormatException ex) {
            throw new CheckpointFormatException(file, "deflated record " + e.name() + " is corrupt: " + ex.getMessage(), ex);
        }
    }

    /**
     * Inflates {@code in} into {@code out}: from its start each time when {@code keep} is false (to
     * count), else in order. Stops once more than {@code limit} bytes came out.
     *
     * @return the bytes inflated, at most {@code limit + 1}
     */
    private static long inflate(ByteBuffer in, byte[] out, long limit, boolean keep) throws DataFormatException {
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(in);
            byte[] probe = new byte[1];
            long n = 0;
            while (!inflater.finished() && n <= limit) {
                int at = keep ? (int) n : 0;
                int got = at == out.length ? inflater.inflate(probe) : inflater.inflate(out, at, out.length - at);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            return n;
        } finally {
            inflater.end();
        }
    }
}
