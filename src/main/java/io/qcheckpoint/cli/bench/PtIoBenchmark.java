package io.qcheckpoint.cli.bench;

import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * Measures reading and writing torch files against plain file I/O, in one run: for a float32 and an
 * int8 state dict built in memory ({@link BenchModels}) it times
 * <ul>
 *   <li>writing: {@link TorchFiles#write} (pickling, zip records, fsync), against writing the same
 *   number of bytes from a direct buffer and fsyncing; both into a new file, the previous one
 *   deleted untimed;</li>
 *   <li>reading: {@link TorchFiles#read} then {@link io.qcheckpoint.pt.Tensor#data()} of every tensor,
 *   CRC32C over all its bytes, against reading the file sequentially through a reusable, page-aligned
 *   4 MB direct buffer with the same CRC32C; alternating the two, after an untimed warm-up round, the
 *   page cache warm;</li>
 *   <li>the peak heap above the baseline while reading once.</li>
 * </ul>
 * Every library read is checked against the checksums of the in-memory model.
 */
public final class PtIoBenchmark {
    /** The size of the reference read's buffer. */
    static final int CHUNK = 4 << 20;
    private static final int PAGE = 4096;
    private static final double MB = 1e6;
    private static final long QUIESCE_MS = 20;
    private static final Set<String> CLEANER_THREADS = Set.of("Reference Handler", "Common-Cleaner");
    /** A timed read sample covers at least this many bytes (the file read several times if small). */
    private static final long MIN_SAMPLE_BYTES = 1_000_000_000L;
    private static final int MAX_READS_PER_SAMPLE = 50;

    /**
     * What to run.
     *
     * @param floatMb target size of the float32 model, in MB (10^6 bytes)
     * @param int8Mb target size of the int8 model, in MB
     * @param iterations timed rounds after the warm-up
     * @param dir where to write the files, which are kept there; null for a fresh temporary folder
     *     that is deleted afterwards
     */
    public record Config(int floatMb, int int8Mb, int iterations, Path dir) {
    }

    /**
     * Measurements of one quantity, one per iteration.
     *
     * @param values the measurements
     */
    public record Samples(double[] values) {
        /** Returns the median. */
        public double median() {
            double[] s = values.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        /** Returns the largest value (the best, for throughputs and ratios). */
        public double best() {
            double b = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                b = Math.max(b, v);
            }
            return b;
        }
    }

    /**
     * The results for one file.
     *
     * @param name the file's name
     * @param file where it was written
     * @param fileBytes its size
     * @param checksums CRC32C of every tensor's data in the in-memory model, by key, in order
     * @param writeMbps {@link TorchFiles#write} throughput, file bytes per second, fsync included
     * @param referenceWriteMbps plain write + fsync of as many bytes
     * @param readsPerSample how many times each timed read sample reads the file, back to back
     * @param referenceReadMbps sequential read + CRC32C of the file
     * @param libraryReadMbps read + {@code data()} + CRC32C of every tensor, file bytes per second
     * @param readRatios library over reference read throughput, per iteration
     * @param peakHeapBytes the heap's peak above its baseline during one library read
     * @param allocatedBytes the bytes one library read allocated on the heap, garbage included; -1
     *     where the JVM cannot count them
     */
    public record FileReport(String name, Path file, long fileBytes, Map<String, Long> checksums,
                             Samples writeMbps, Samples referenceWriteMbps, int readsPerSample,
                             Samples referenceReadMbps, Samples libraryReadMbps, Samples readRatios,
                             long peakHeapBytes, long allocatedBytes) {
        /** Returns library over reference write throughput, median over median. */
        public double writeRatio() {
            return writeMbps.median() / referenceWriteMbps.median();
        }
    }

    /** An I/O action whose result is a checksum. */
    @FunctionalInterface
    interface Run {
        long run() throws IOException;
    }

    private final Config config;
    private final PrintWriter log;

    /**
     * Creates the benchmark.
     *
     * @param config what to run
     * @param log where progress lines go
     */
    public PtIoBenchmark(Config config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Runs it: the float32 model, then the int8 one.
     *
     * @return one report per file
     * @throws IOException if writing or reading fails
     * @throws IllegalStateException if a file reads back different from what was written
     */
    public List<FileReport> run() throws IOException {
        Path dir = config.dir() != null ? Files.createDirectories(config.dir())
                : Files.createTempDirectory("qcheckpoint-bench");
        try {
            List<FileReport> out = new ArrayList<>();
            out.add(measure(dir, "float32.pt", () -> BenchModels.float32((long) (config.floatMb() * MB))));
            out.add(measure(dir, "int8.pt", () -> BenchModels.int8((long) (config.int8Mb() * MB))));
            return out;
        } finally {
            if (config.dir() == null) {
                deleteTree(dir);
            }
        }
    }

    private FileReport measure(Path dir, String name, Supplier<StateDict> model) throws IOException {
        Path file = dir.resolve(name);
        progress("%s: building the model and writing it %d times", name, config.iterations() + 1);
        Written w = writeAll(file, model);
        long fileBytes = Files.size(file);
        Samples refWrite = referenceWrites(dir.resolve(name + ".reference"), fileBytes);
        progress("%s: %.1f MB, %d tensors; reading it both ways", name, fileBytes / MB, w.checksums().size());
        long expected = Checksums.total(w.checksums());
        int reps = readsPerSample(fileBytes);
        Samples[] reads = readAll(file, fileBytes, reps, expected);
        long peak = peakHeapDuring(() -> check(libraryRead(file), expected, name));
        long allocated = allocatedDuring(() -> check(libraryRead(file), expected, name));
        return new FileReport(name, file, fileBytes, w.checksums(), w.mbps(), refWrite, reps, reads[0], reads[1],
                reads[2], peak, allocated);
    }

    private record Written(Map<String, Long> checksums, Samples mbps) {
    }

    /** Builds the model, writes it once untimed and then once per iteration; the model is dropped on return. */
    private Written writeAll(Path file, Supplier<StateDict> build) throws IOException {
        StateDict model = build.get();
        Map<String, Long> checksums = Checksums.ofTensors(Checksums.tensorsOf(model));
        TorchFiles.write(file, model);
        long bytes = Files.size(file);
        double[] mbps = new double[config.iterations()];
        for (int i = 0; i < mbps.length; i++) {
            Files.delete(file);
            mbps[i] = mbps(bytes, () -> {
                TorchFiles.write(file, model);
                return 0;
            });
            progress("%s: write %d: %.0f MB/s", file.getFileName(), i + 1, mbps[i]);
        }
        return new Written(checksums, new Samples(mbps));
    }

    private Samples referenceWrites(Path tmp, long bytes) throws IOException {
        ByteBuffer buf = referenceBuffer();
        byte[] noise = new byte[CHUNK];
        new SplittableRandom(1).nextBytes(noise);
        buf.put(noise).flip();
        double[] mbps = new double[config.iterations()];
        try {
            referenceWrite(tmp, bytes, buf);
            for (int i = 0; i < mbps.length; i++) {
                Files.deleteIfExists(tmp);
                mbps[i] = mbps(bytes, () -> referenceWrite(tmp, bytes, buf));
                progress("%s: reference write %d: %.0f MB/s", tmp.getFileName(), i + 1, mbps[i]);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        return new Samples(mbps);
    }

    /** Writes {@code bytes} bytes, the buffer over and over, into a new file, and fsyncs it. */
    static long referenceWrite(Path file, long bytes, ByteBuffer buf) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long left = bytes;
            while (left > 0) {
                ByteBuffer part = buf.duplicate().limit((int) Math.min(left, buf.capacity()));
                while (part.hasRemaining()) {
                    left -= ch.write(part);
                }
            }
            ch.force(true);
        }
        return bytes;
    }

    /**
     * Reads both ways once untimed, then both ways per iteration, alternating which goes first. A
     * sample reads the file {@code reps} times back to back, so that it lasts long enough to time.
     */
    private Samples[] readAll(Path file, long bytes, int reps, long expected) throws IOException {
        ByteBuffer buf = referenceBuffer();
        long reference = referenceRead(file, buf);
        String name = file.getFileName().toString();
        Run r = () -> repeat(reps, () -> check(referenceRead(file, buf), reference, "reference read of " + name));
        Run l = () -> repeat(reps, () -> check(libraryRead(file), expected, name));
        r.run();
        l.run();
        int n = config.iterations();
        double[] ref = new double[n];
        double[] lib = new double[n];
        double[] ratio = new double[n];
        for (int i = 0; i < n; i++) {
            if (i % 2 == 0) {
                ref[i] = mbps(reps * bytes, r);
                lib[i] = mbps(reps * bytes, l);
            } else {
                lib[i] = mbps(reps * bytes, l);
                ref[i] = mbps(reps * bytes, r);
            }
            ratio[i] = lib[i] / ref[i];
            progress("%s: read %d: reference %.0f MB/s, library %.0f MB/s, ratio %.2f", name, i + 1, ref[i], lib[i],
                    ratio[i]);
        }
        return new Samples[] {new Samples(ref), new Samples(lib), new Samples(ratio)};
    }

    /** How many reads make one timed sample: enough for {@link #MIN_SAMPLE_BYTES}, at most 50. */
    static int readsPerSample(long fileBytes) {
        return (int) Math.max(1, Math.min(MAX_READS_PER_SAMPLE, (MIN_SAMPLE_BYTES + fileBytes - 1) / fileBytes));
    }

    private static long repeat(int times, Run run) throws IOException {
        long last = 0;
        for (int i = 0; i < times; i++) {
            last = run.run();
        }
        return last;
    }

    /**
     * Returns a page-aligned direct buffer of {@link #CHUNK} bytes for the references. Alignment
     * matters: copying out of the page cache into a buffer that is only 16-byte aligned (what
     * {@code allocateDirect} gives) ran at half the speed on the machine this was written on.
     *
     * @return the buffer
     */
    public static ByteBuffer referenceBuffer() {
        return ByteBuffer.allocateDirect(CHUNK + PAGE).alignedSlice(PAGE).limit(CHUNK).slice();
    }

    /**
     * The reference read: the whole file, sequentially, through {@code buf}, CRC32C over every byte.
     *
     * @param file the file
     * @param buf a reusable direct buffer
     * @return the file's CRC32C
     * @throws IOException if reading fails
     */
    public static long referenceRead(Path file, ByteBuffer buf) throws IOException {
        CRC32C crc = new CRC32C();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            buf.clear();
            while (ch.read(buf) >= 0) {
                buf.flip();
                crc.update(buf);
                buf.clear();
            }
        }
        return crc.getValue();
    }

    /**
     * The library read: {@link TorchFiles#read}, then every listed tensor's {@code data()}, all of
     * its bytes through CRC32C.
     *
     * @param file the file
     * @return the tensors' checksums folded in order ({@link Checksums#fold})
     * @throws IOException if reading fails
     */
    public static long libraryRead(Path file) throws IOException {
        TorchFile tf = TorchFiles.read(file);
        CRC32C crc = new CRC32C();
        long total = 0;
        for (NamedTensor nt : tf.tensors()) {
            crc.reset();
            crc.update(nt.tensor().data());
            total = Checksums.fold(total, crc.getValue());
        }
        Reference.reachabilityFence(tf);
        return total;
    }

    private void progress(String format, Object... args) {
        log.println(String.format(Locale.ROOT, format, args));
        log.flush();
    }

    private static long check(long got, long expected, String what) {
        if (got != expected) {
            throw new IllegalStateException(what + " read back with checksum " + Long.toHexString(got)
                    + ", expected " + Long.toHexString(expected));
        }
        return got;
    }

    /** Collects garbage and settles (untimed), then times {@code run} and returns MB/s for {@code bytes}. */
    private static double mbps(long bytes, Run run) throws IOException {
        quiesce();
        long t0 = System.nanoTime();
        run.run();
        long ns = System.nanoTime() - t0;
        return bytes / MB / (ns / 1e9);
    }

    /**
     * Collects garbage, then waits until the JDK's cleaner threads are idle: the buffers mapped by
     * earlier reads are unmapped by the reference-handler thread after the collection, and that work
     * must not overlap the next timing. Idle means their CPU time did not grow over one
     * {@link #QUIESCE_MS} pause (at most 100 pauses; a plain pause where thread CPU time is not
     * measurable).
     */
    static void quiesce() {
        System.gc();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> CLEANER_THREADS.contains(t.getName())).mapToLong(Thread::getId).toArray();
        boolean measurable = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled() && ids.length > 0;
        long last = -1;
        for (int i = 0; i < 100; i++) {
            pause();
            long cpu = measurable ? Arrays.stream(ids).map(threads::getThreadCpuTime).sum() : 0;
            if (cpu == last || !measurable) {
                return;
            }
            last = cpu;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(QUIESCE_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns how far the heap's peak rose above its post-GC baseline while {@code run} ran: the sum
     * over the heap pools of their peak usage, after {@code resetPeakUsage}, minus the sum of their
     * usage before. Summing peaks reached at different times can only overstate.
     */
    static long peakHeapDuring(Run run) throws IOException {
        List<MemoryPoolMXBean> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isValid()).toList();
        quiesce();
        pools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long baseline = pools.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        run.run();
        long peak = pools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        return Math.max(0, peak - baseline);
    }

    /**
     * Returns how many bytes this thread allocated on the heap while {@code run} ran (HotSpot's
     * per-thread allocation counter, exact to the TLAB), or -1 where the JVM has none.
     */
    static long allocatedDuring(Run run) throws IOException {
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t)
                || !t.isThreadAllocatedMemorySupported() || !t.isThreadAllocatedMemoryEnabled()) {
            run.run();
            return -1;
        }
        long id = Thread.currentThread().getId();
        long before = t.getThreadAllocatedBytes(id);
        run.run();
        return t.getThreadAllocatedBytes(id) - before;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
