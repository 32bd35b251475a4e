package io.qcheckpoint.cli.bench;

import io.qcheckpoint.cli.bench.PtIoBenchmark.FileReport;
import io.qcheckpoint.cli.bench.PtIoBenchmark.Samples;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Formats {@link PtIoBenchmark}'s results: the tables, and one verdict line per target. */
public final class PtIoReport {
    /** Reading must reach this fraction of the reference read's throughput. */
    public static final double READ_RATIO_TARGET = 0.8;
    /** Writing must reach this throughput, in MB/s (fsync included). */
    public static final double WRITE_MBPS_TARGET = 1000;
    /** The heap may rise at most this fraction of the file size while reading. */
    public static final double HEAP_FRACTION_TARGET = 0.2;

    private PtIoReport() {
    }

    /**
     * Formats the reading and writing tables: median of the iterations, best in brackets.
     *
     * @param reports the results
     * @param iterations how many timed iterations they hold
     * @return the tables, lines ending in newlines
     */
    public static String tables(List<FileReport> reports, int iterations) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("Reading, page cache warm; median of %d [best]; MB = 10^6 bytes%n", iterations));
        sb.append(f("%-11s %8s %8s %6s %16s %16s %18s %20s %13s%n", "file", "size MB", "tensors", "reads",
                "reference MB/s", "library MB/s", "library/reference", "peak heap MB (/file)", "allocated KB"));
        for (FileReport r : reports) {
            sb.append(f("%-11s %8.1f %8d %6d %16s %16s %18s %20s %13s%n", r.name(), r.fileBytes() / 1e6,
                    r.checksums().size(), r.readsPerSample(), mbps(r.referenceReadMbps()),
                    mbps(r.libraryReadMbps()), ratio(r.readRatios()),
                    f("%.1f (%.3f)", r.peakHeapBytes() / 1e6, heapFraction(r)),
                    r.allocatedBytes() < 0 ? "n/a" : f("%.0f", r.allocatedBytes() / 1e3)));
        }
        sb.append("(reads: how often one timed sample reads the file, back to back; peak heap: the heap pools' peak"
                + " above the post-GC baseline during one read; allocated: what that read allocated, garbage included)\n");
        sb.append(f("%nWriting, fsync included; median of %d [best]%n", iterations));
        sb.append(f("%-11s %8s %16s %16s %18s%n", "file", "size MB", "library MB/s", "reference MB/s",
                "library/reference"));
        for (FileReport r : reports) {
            sb.append(f("%-11s %8.1f %16s %16s %18s%n", r.name(), r.fileBytes() / 1e6, mbps(r.writeMbps()),
                    mbps(r.referenceWriteMbps()), f("%.2f", r.writeRatio())));
        }
        return sb.toString();
    }

    /**
     * Judges the medians against the targets.
     *
     * @param reports the results
     * @return one line per file and target, each starting with PASS or MISS
     */
    public static List<String> verdicts(List<FileReport> reports) {
        List<String> out = new ArrayList<>();
        for (FileReport r : reports) {
            double ratio = r.readRatios().median();
            out.add(verdict(ratio >= READ_RATIO_TARGET, f("reading %s at %.2fx the reference read (target >= %.2fx)",
                    r.name(), ratio, READ_RATIO_TARGET)));
            double write = r.writeMbps().median();
            out.add(verdict(write >= WRITE_MBPS_TARGET, f("writing %s at %.0f MB/s, fsync included (target >= %.0f MB/s)",
                    r.name(), write, WRITE_MBPS_TARGET)));
            double heap = heapFraction(r);
            out.add(verdict(heap <= HEAP_FRACTION_TARGET, f("peak heap reading %s %.3fx the file size,"
                    + " %.1f MB (target <= %.2fx)", r.name(), heap, r.peakHeapBytes() / 1e6, HEAP_FRACTION_TARGET)));
        }
        return out;
    }

    private static double heapFraction(FileReport r) {
        return (double) r.peakHeapBytes() / r.fileBytes();
    }

    private static String verdict(boolean pass, String text) {
        return (pass ? "PASS " : "MISS ") + text;
    }

    private static String mbps(Samples s) {
        return f("%.0f [%.0f]", s.median(), s.best());
    }

    private static String ratio(Samples s) {
        return f("%.2f [%.2f]", s.median(), s.best());
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
