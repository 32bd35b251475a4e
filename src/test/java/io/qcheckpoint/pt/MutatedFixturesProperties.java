package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Fuzzes the reader with thousands of mutations of real torch files: flipped bytes, truncations,
 * random windows, and 32/64-bit fields overwritten with extreme values (sizes, offsets, lengths).
 * Every read must succeed or throw a {@link CheckpointException}, quickly and within the allocation
 * a file of that size allows.
 */
class MutatedFixturesProperties {
    private static final List<byte[]> SEEDS = loadSeeds();
    private static final long[] EXTREMES = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0xfffffff0L,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 1L << 60, 46, 64};

    private final Path file = tempFile();

    /** One way to damage a file. */
    record Mutation(int seed, int kind, double where, long value) {
        byte[] apply(byte[] original) {
            byte[] b = original.clone();
            int pos = (int) (where * b.length);
            switch (kind) {
                case 0 -> b[pos] ^= (byte) (1 << (value & 7));
                case 1 -> {
                    return java.util.Arrays.copyOf(b, pos);
                }
                case 2 -> {
                    java.util.Random r = new java.util.Random(value);
                    for (int i = pos; i < Math.min(b.length, pos + 16); i++) {
                        b[i] = (byte) r.nextInt();
                    }
                }
                case 3 -> {
                    if (pos + 4 <= b.length) {
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, (int) EXTREMES[(int) Math.floorMod(value, EXTREMES.length)]);
                    }
                }
                default -> {
                    if (pos + 8 <= b.length) {
                        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(pos, EXTREMES[(int) Math.floorMod(value, EXTREMES.length)]);
                    }
                }
            }
            return b;
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return Combinators.combine(Arbitraries.integers().between(0, SEEDS.size() - 1),
                Arbitraries.integers().between(0, 4), Arbitraries.doubles().between(0, 0.999999).ofScale(6),
                Arbitraries.longs()).as(Mutation::new);
    }

    @Property(tries = 4000)
    void mutatedFilesReadCleanlyOrFailWithTheProjectsExceptions(@ForAll("mutations") Mutation m) throws IOException {
        Files.write(file, m.apply(SEEDS.get(m.seed())));
        CheckpointException e = ReadOutcome.read(file);
        Statistics.label("outcome").collect(e == null ? "read" : e.getClass().getSimpleName());
    }

    @Property(tries = 300)
    void everyTruncationIsAFormatError(@ForAll("mutations") Mutation m) throws IOException {
        byte[] seed = SEEDS.get(m.seed());
        Files.write(file, java.util.Arrays.copyOf(seed, (int) (m.where() * seed.length)));
        CheckpointException e = ReadOutcome.read(file);
        assertTrue(e instanceof CheckpointFormatException, "truncated file read without a format error: " + e);
        assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
    }

    @AfterProperty
    void cleanUp() throws IOException {
        Files.deleteIfExists(file);
    }

    private static Path tempFile() {
        try {
            return Files.createTempFile("mutated", ".pt");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<byte[]> loadSeeds() {
        try (Stream<Path> files = Files.walk(Path.of("src/test/resources/fixtures"))) {
            return files.filter(p -> p.toString().endsWith(".pt") && !p.toString().contains("/bad/")
                            && !p.getFileName().toString().startsWith("ts_"))
                    .filter(p -> sizeOf(p) < 200_000).sorted().map(MutatedFixturesProperties::bytes).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
