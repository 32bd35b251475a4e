package io.qcheckpoint.cli.bench;

import ai.djl.engine.Engine;
import io.qcheckpoint.cli.bench.NnBenchmark.Check;
import io.qcheckpoint.cli.bench.NnBenchmark.NetReport;
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
     * Formats the correctness checks, one line per int8 variant, each starting with PASS or FAIL,
     * and one informational line for the float32 model.
     *
     * @param reports the results
     * @return the lines
     */
    public static List<String> checks(List<NetReport> reports) {
        List<String> out = new ArrayList<>();
        for (NetReport r : reports) {
            for (Check c : r.checks()) {
                out.add(f("%s %s: %s output within one step of torch's int8 output: max %.2f steps (step %.4g),"
                                + " %d of %d elements equal", c.pass() ? "PASS" : "FAIL", r.net().name(), c.variant(),
                        c.maxSteps(), c.step(), c.equal(), c.elements()));
            }
            out.add(f("info %s: %s output vs torch's int8 output: max abs diff %.4g (torch's float model: %.4g)",
                    r.net().name(), NnVariants.JAVA_FP32, r.fp32MaxAbsDiff(), r.torchFp32MaxAbsDiff()));
        }
        return out;
    }

    /**
     * Formats the timing table: per network, each variant's time per call and the two ratios,
     * median over the rounds, best in brackets.
     *
     * @param reports the results
     * @param rounds how many rounds they hold
     * @return the table, lines ending in newlines
     */
    public static String table(List<NetReport> reports, int rounds) {
        StringBuilder sb = new StringBuilder();
        sb.append(f("Time per call in ms, and ratios; median of %d rounds [best]%n", rounds));
        sb.append(f("%-5s %-16s %6s %18s %18s %18s %15s %17s%n", "model", "input", "calls", "java fp32 ms",
                "java int8 ms", "torchscript ms", "fp32/int8", "java/torchscript"));
        for (NetReport r : reports) {
            List<Series> ms = r.msPerCall();
            sb.append(f("%-5s %-16s %6d %18s %18s %18s %15s %17s%n", r.net().name(), shape(r.inputShape()), r.calls(),
                    time(ms.get(0)), time(ms.get(1)), time(ms.get(2)),
                    f("%.2f [%.2f]", r.speedups().median(), r.speedups().max()),
                    f("%.2f [%.2f]", r.javaOverScript().median(), r.javaOverScript().min())));
        }
        sb.append("(calls: per variant and round, back to back; ratios are formed per round: java fp32 time over"
                + " java int8 time, java int8 time over torchscript int8 time)\n");
        return sb.toString();
    }

    /**
     * Judges the medians against the targets.
     *
     * @param reports the results
     * @return two lines per network, each starting with PASS or MISS
     */
    public static List<String> verdicts(List<NetReport> reports) {
        List<String> out = new ArrayList<>();
        for (NetReport r : reports) {
            double speedup = r.speedups().median();
            double target = r.net().speedupTarget();
            out.add(f("%s %s: int8 runs %.2fx faster than float32 (target >= %.2fx)", speedup >= target ? "PASS" : "MISS",
                    r.net().name(), speedup, target));
            double slower = r.javaOverScript().median();
            out.add(f("%s %s: the Java int8 model takes %.2fx the TorchScript reference's time (target <= %.2fx)",
                    slower <= JAVA_OVER_SCRIPT_TARGET ? "PASS" : "MISS", r.net().name(), slower,
                    JAVA_OVER_SCRIPT_TARGET));
        }
        return out;
    }

    private static String time(Series s) {
        return f("%.3f [%.3f]", s.median(), s.min());
    }

    private static String shape(long[] shape) {
        return Arrays.toString(shape).replace(" ", "");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
