package io.qcheckpoint.cli.bench;

import io.qcheckpoint.cli.bench.LoadBenchmark.ArchReport;
import io.qcheckpoint.cli.bench.LoadBenchmark.OutputCheck;
import io.qcheckpoint.cli.bench.NnBenchmark.Series;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** Formats {@link LoadBenchmark}'s results: the checks, the table and the verdicts against the three targets. */
public final class LoadReport {
    /** Warm {@code Checkpoints.load} may take at most this multiple of torch's load. */
    public static final double WARM_TARGET = 0.5;
    /** A fresh JVM may take at most this multiple of a fresh Python process's time to the first inference. */
    public static final double FRESH_TARGET = 0.5;
    /** The resident set may rise by at most this multiple of (int8 checkpoint + fp32 weights) while loading. */
    public static final double RSS_TARGET = 2.0;

    private static final double MB = 1e6;

    private LoadReport() {
    }

    /**
     * Formats one line per architecture saying whether the Java int8 output is as close to torch's as
     * torch 1.13's qnnpack output is.
     *
     * @param reports the results
     * @return lines starting with PASS or FAIL
     */
    public static List<String> checks(List<ArchReport> reports) {
        List<String> out = new ArrayList<>();
        for (ArchReport r : reports) {
            OutputCheck c = r.check();
            out.add(f("%s %s: the loaded Java int8 model's output against torch 1.13's LPOT-loaded model (onednn): max"
                            + " %.2f steps, mean %.4g (step %.4g), %d of %d elements equal; torch's own qnnpack output: max"
                            + " %.2f steps, mean %.4g", c.pass() ? "PASS" : "FAIL", r.arch().name(),
                    c.maxAbsDiff() / c.step(), c.meanAbsDiff(), c.step(), c.equal(), c.elements(),
                    c.torchMaxAbsDiff() / c.step(), c.torchMeanAbsDiff()));
        }
        return out;
    }

    /**
     * Formats the table: per architecture, warm loads, fresh processes and resident sets side by side.
     *
     * @param reports the results
     * @return the table, lines ending in a newline
     */
    public static String table(List<ArchReport> reports) {
        StringBuilder sb = new StringBuilder();
        sb.append("Warm load (median [best] ms; ratio: median over pairs of loads run one after the other) and fresh\n"
                + "process to first inference (median ms), Java / torch 1.13\n");
        sb.append(f("%-9s %8s %8s %22s %22s %8s %10s %10s %8s%n", "model", "int8 MB", "fp32 MB", "warm java ms",
                "warm torch ms", "ratio", "fresh jvm", "fresh py", "ratio"));
        for (ArchReport r : reports) {
            sb.append(f("%-9s %8.1f %8.1f %22s %22s %8.2f %10.0f %10.0f %8.2f%n", r.arch().name(), r.int8Bytes() / MB,
                    r.fp32Bytes() / MB, medianBest(r.javaWarmMs()), medianBest(r.torchWarmMs()), warmRatio(r),
                    fresh(r.javaFresh(), FreshProcess.Result::msToFirstInference),
                    fresh(r.pythonFresh(), FreshProcess.Result::msToFirstInference), freshRatio(r)));
        }
        sb.append("\nFresh processes (medians): from the process's start to ready (runtime loaded: the JVM with libtorch,"
                + " Python with\ntorch and torchvision), then each step as the child timed it; resident set (RSS) in MB at"
                + " ready, with the fp32\nmodel built, and its peak while loading the checkpoint and running it\n");
        sb.append(f("%-9s %-6s %9s %9s %9s %9s %9s %9s %10s %14s %12s%n", "model", "side", "ready ms", "fp32 ms",
                "load ms", "fwd ms", "RSS start", "RSS fp32", "peak load", "rise in load", "rise/files"));
        for (ArchReport r : reports) {
            row(sb, r, "java", r.javaFresh());
            row(sb, r, "python", r.pythonFresh());
        }
        sb.append("\nPacking the checkpoint's int8 weights alone (median [best] ms), libtorch's share of every load;"
                + " floor:\nJava's packing over torch's whole warm load, the least the warm ratio can be\n");
        sb.append(f("%-9s %8s %22s %22s %10s %8s%n", "model", "weights", "java ms", "torch 1.13 ms", "java/torch",
                "floor"));
        for (ArchReport r : reports) {
            LoadBenchmark.PackTimes p = r.packing();
            sb.append(f("%-9s %8d %22s %22s %10.2f %8.2f%n", r.arch().name(), p.weights(), medianBest(p.javaMs()),
                    medianBest(p.torchMs()), p.javaMs().median() / p.torchMs().median(), warmFloor(r)));
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, ArchReport r, String side, List<FreshProcess.Result> runs) {
        sb.append(f("%-9s %-6s %9.0f %9.0f %9.0f %9.0f %9.0f %9.0f %10.0f %14.0f %12.2f%n", r.arch().name(), side,
                fresh(runs, FreshProcess.Result::readyMs), fresh(runs, FreshProcess.Result::modelMs),
                fresh(runs, FreshProcess.Result::loadMs), fresh(runs, FreshProcess.Result::forwardMs),
                fresh(runs, x -> x.readyRssKb() * 1024.0) / MB,
                fresh(runs, x -> x.modelRssKb() * 1024.0) / MB, fresh(runs, x -> x.peakRssKb() * 1024.0) / MB,
                fresh(runs, x -> x.loadRssKb() * 1024.0) / MB, rssRatio(runs, r)));
    }

    /**
     * Formats one PASS/MISS line per target and architecture.
     *
     * @param reports the results
     * @return the lines
     */
    public static List<String> verdicts(List<ArchReport> reports) {
        List<String> out = new ArrayList<>();
        for (ArchReport r : reports) {
            String n = r.arch().name();
            double warm = warmRatio(r);
            out.add(f("%s %s: warm Checkpoints.load takes %.2fx torch 1.13's LPOT load (target <= %.2fx; libtorch's"
                    + " packing of the weights alone takes %.2fx)", verdict(warm <= WARM_TARGET), n, warm, WARM_TARGET,
                    warmFloor(r)));
            double fresh = freshRatio(r);
            out.add(f("%s %s: a fresh JVM reaches its first inference in %.2fx the time of a fresh Python process"
                    + " (target <= %.2fx; the JVM is ready, libtorch loaded and no model work done, after %.2fx)",
                    verdict(fresh <= FRESH_TARGET), n, fresh, FRESH_TARGET, freshFloor(r)));
            double rss = rssRatio(r.javaFresh(), r);
            out.add(f("%s %s: the JVM's resident set rises by %.2fx (int8 checkpoint + fp32 weights, %.1f MB) while"
                            + " loading the checkpoint (target <= %.2fx)", verdict(rss <= RSS_TARGET), n, rss,
                    (r.int8Bytes() + r.fp32Bytes()) / MB, RSS_TARGET));
        }
        return out;
    }

    /** The median over the pairs of warm loads (a Java load and the torch load next to it) of their ratio. */
    static double warmRatio(ArchReport r) {
        double[] java = r.javaWarmMs().values();
        double[] torch = r.torchWarmMs().values();
        double[] ratios = new double[java.length];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = java[i] / torch[i];
        }
        return new Series(ratios).median();
    }

    /** A fresh JVM's time to {@code ready} over a fresh Python process's time to its first inference (medians). */
    static double freshFloor(ArchReport r) {
        return fresh(r.javaFresh(), FreshProcess.Result::readyMs)
                / fresh(r.pythonFresh(), FreshProcess.Result::msToFirstInference);
    }

    /** Java's packing of the weights alone over torch's whole warm load (medians): no Java load can take less. */
    static double warmFloor(ArchReport r) {
        return r.packing().javaMs().median() / r.torchWarmMs().median();
    }

    static double freshRatio(ArchReport r) {
        return fresh(r.javaFresh(), FreshProcess.Result::msToFirstInference)
                / fresh(r.pythonFresh(), FreshProcess.Result::msToFirstInference);
    }

    private static double rssRatio(List<FreshProcess.Result> runs, ArchReport r) {
        return fresh(runs, x -> x.loadRssKb() * 1024.0) / (r.int8Bytes() + r.fp32Bytes());
    }

    private static double fresh(List<FreshProcess.Result> runs, ToDoubleFunction<FreshProcess.Result> f) {
        return new Series(runs.stream().mapToDouble(f).toArray()).median();
    }

    private static String medianBest(Series s) {
        return f("%.1f [%.1f]", s.median(), s.min());
    }

    private static String verdict(boolean pass) {
        return pass ? "PASS" : "MISS";
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
