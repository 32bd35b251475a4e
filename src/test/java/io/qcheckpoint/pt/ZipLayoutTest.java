package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the container Java writes against an independent zip reader (the JDK's ZipFile, which
 * verifies every CRC) and against FORMATS.md 1.1: stored records, 64-byte aligned, no
 * {@code .format_version}, a ZIP64 end record.
 */
class ZipLayoutTest {
    @TempDir
    Path dir;

    @Test
    void recordsAreStoredAlignedAndChecksummed() throws IOException {
        Path ref = Path.of("src/test/resources/fixtures/reference/lpot-v1.5/post_training_static_quant.best_model_weights.pt");
        Path out = dir.resolve("copy.pt");
        TorchFiles.write(out, TorchFiles.read(ref).root());

        byte[] raw = Files.readAllBytes(out);
        List<String> names = new ArrayList<>();
        try (ZipFile zip = new ZipFile(out.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                long dataOffset = localDataOffset(raw, e, zip);
                assertEquals(0, dataOffset % 64, e.getName() + " data at " + dataOffset);
                try (InputStream in = zip.getInputStream(e)) {
                    assertEquals(e.getSize(), in.readAllBytes().length, e.getName()); // CRC checked at EOF
                }
            }
        }
        assertEquals("copy/data.pkl", names.get(0), "the folder is the file's stem, as torch names it");
        assertTrue(names.contains("copy/version"));
        assertFalse(names.stream().anyMatch(n -> n.endsWith(".format_version")));
        assertTrue(indexOf(raw, new byte[] {0x50, 0x4b, 0x06, 0x06}) > 0, "ZIP64 end record");
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path out = dir.resolve("t.pt");
        TorchFiles.write(out, Tensor.fromFloats(new float[] {1, 2, 3}, 3));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList());
        }
        Object bad = List.of(new Object());
        try {
            TorchFiles.write(out, bad);
        } catch (IllegalArgumentException expected) {
            // the value cannot be written; the old file must survive intact
        }
        assertArrayEquals(new float[] {1, 2, 3}, ((Tensor) TorchFiles.read(out).root()).toFloatArray());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(out), files.toList());
        }
    }

    private static long localDataOffset(byte[] raw, ZipEntry e, ZipFile zip) {
        // The JDK does not expose header offsets; find the local header by its name.
        byte[] name = e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int p = indexOf(raw, new byte[] {0x50, 0x4b, 0x03, 0x04}); p >= 0; p = indexOf(raw, new byte[] {0x50, 0x4b, 0x03, 0x04}, p + 4)) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
            int n = b.getShort(p + 26) & 0xffff;
            int m = b.getShort(p + 28) & 0xffff;
            if (n == name.length && java.util.Arrays.equals(raw, p + 30, p + 30 + n, name, 0, n)) {
                return p + 30L + n + m;
            }
        }
        throw new AssertionError("no local header for " + e.getName());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        return indexOf(hay, needle, 0);
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
