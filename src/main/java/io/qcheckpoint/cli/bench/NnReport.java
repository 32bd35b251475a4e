package io.qcheckpoint.cli.bench;

import ai.djl.engine.Engine;
import io.qcheckpoint.cli.bench.NnBenchmark.Check;
import io.qcheckpoint.cli.bench.NnBenchmark.NetReport;
import io.qcheckpoint.cli.bench.NnBenchmark.Ratio;
import io.qcheckpoint.cli.bench.NnBenchmark.Series;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TorchThreads;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Formats {@link NnBenchmark}'s results: the environment, the correctness checks, the table, the verdicts. */
public final class NnReport {
    /** The Java int8 model may take at most this multiple of the TorchScript reference's time. */
    public static final double JAVA_OVER_SCRIPT_TARGET = 1.10;

    private NnReport() {
    }

    /**
     * Describes the JVM and libtorch's threads; loads libtorch if it is not loaded yet.
     *
     * @param command the benchmark that prints it, e.g. {@code bench nn}
     * @return one line
     */
    public static String environment(String command) {
        Runtime rt = Runtime.getRuntime();
        // the JNI calls below need the engine's native library loaded
        Engine engine = Engine.getEngine("PyTorch");
        return f("%s: %s %s, %d CPUs, libtorch %s, int8 engine %s, intra-op threads %d, inter-op threads %d, %s %s",
                command, System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                rt.availableProcessors(), engine.getVersion(), QuantizedEngines.get(), TorchThreads.intraOp(),
                TorchThreads.interOp(),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }

    /**
     * Formats the correctness checks, one line per check, each starting with PASS or FAIL, and the
     * networks' informational lines, starting with {@code info}.
     *
     * @param reports the results
     * @return the lines
     */
    public static List<String> checks(List<NetReport> reports) {
        List<String> out = new ArrayList<>();
        for (NetReport r : reports) {
            for (Check c : r.checks()) {
                out.add(f("%s %s: %s output within one step of %s: max %.2f steps (step %.4g), %d of %d elements"
                                + " equal", c.pass() ? "PASS" : "FAIL", r.name(), c.variant(), c.reference(), c.maxSteps(),
                        c.step(), c.equal(), c.elements()));
            }
            r.notes().forEach(n -> out.add("info " + r.name() + ": " + n));
        }
        return out;
    }

    /**
     * Formats the timing table: per network, each variant's time per call and its ratios, median
     * over the rounds, best in brackets; a header line wherever the columns change.
     *
     * @param reports the results
     * @param rounds how many rounds they hold
     * @return the table, lines ending in newlines
     */
    public static String table(List<NetReport> reports, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("Time per call in ms, and ratios; median of %d rounds [best]%n", rounds));
        String header = null;
        for (NetReport r : reports) {
            List<String> cells = new ArrayList<>(List.of(f("%-8s", "model"), f("%-16s", "input"), f("%6s", "calls")));
            r.labels().forEach(l -> cells.add(f("%20s", l + " ms")));
            r.ratios().forEach(q -> cells.add(f("%17s", q.target().column())));
            String h = String.join(" ", cells);
            if (!h.equals(header)) {
                sb.append(h).append('\n');
                header = h;
            }
            List<String> row = new ArrayList<>(List.of(f("%-8s", r.name()), f("%-16s", shape(r.inputShape())),
                    f("%6d", r.calls())));
            r.msPerCall().forEach(s -> row.add(f("%20s", f("%.3f [%.3f]", s.median(), s.min()))));
            r.ratios().forEach(q -> row.add(f("%17s", f("%.2f [%.2f]", q.values().median(), best(q)))));
            sb.append(String.join(" ", row)).append('\n');
        }
        sb.append("(calls: per variant and round, back to back; ratios a/b are formed per round: variant a's time over"
                + " variant b's)\n");
        return sb.toString();
    }

    /**
     * Judges the medians against the targets.
     *
     * @param reports the results
     * @return one line per ratio, each starting with PASS or MISS
     */
    public static List<String> verdicts(List<NetReport> reports) {
        List<String> out = new ArrayList<>();
        for (NetReport r : reports) {
            for (Ratio q : r.ratios()) {
                out.add(f("%s %s: %s (target %s %.2fx)", q.met() ? "PASS" : "MISS", r.name(),
                        f(q.target().claim(), q.values().median()), q.target().atLeast() ? ">=" : "<=",
                        q.target().target()));
            }
        }
        return out;
    }

    /** The best round: the largest ratio where larger is better, else the smallest. */
    private static double best(Ratio q) {
        Series s = q.values();
        return q.target().atLeast() ? s.max() : s.min();
    }

    private static String shape(long[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
