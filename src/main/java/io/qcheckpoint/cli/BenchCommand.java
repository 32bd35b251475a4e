package io.qcheckpoint.cli;

import io.qcheckpoint.cli.bench.PtIoBenchmark;
import io.qcheckpoint.cli.bench.PtIoReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qcheckpoint bench}: benchmarks that print throughput and ratios side by side in one run.
 * They judge themselves against the project's targets in PASS/MISS lines but exit 0 either way;
 * bad options exit 2.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure the project's performance targets; prints ratios against a reference measured in the same run.",
        subcommands = BenchCommand.Io.class)
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public BenchCommand() {
    }

    /**
     * Runs without a benchmark named, which is a usage error.
     *
     * @return never returns normally
     * @throws ParameterException always
     */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing benchmark; choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** {@code bench io}: reading and writing torch files, against plain file I/O. */
    @Command(name = "io", mixinStandardHelpOptions = true,
            description = {"Write and read a float32 and an int8 quantized state dict, built in memory.",
                "Reading (TorchFiles.read + every tensor's data(), CRC32C over all of it) is compared with reading"
                    + " the file's bytes sequentially with the same CRC32C; writing (fsync included) with writing as"
                    + " many bytes from a direct buffer; and the peak heap while reading is reported.",
                "Run with a heap of about 1 GB (e.g. JAVA_TOOL_OPTIONS=-Xmx1g) for the default sizes."})
    static final class Io implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--float-mb", defaultValue = "200", paramLabel = "MB",
                description = "Size of the float32 state dict in MB (10^6 bytes), 1..4096 (default: ${DEFAULT-VALUE}).")
        int floatMb;

        @Option(names = "--int8-mb", defaultValue = "50", paramLabel = "MB",
                description = "Size of the int8 state dict in MB, 1..4096 (default: ${DEFAULT-VALUE}).")
        int int8Mb;

        @Option(names = "--iterations", defaultValue = "5", paramLabel = "N",
                description = "Timed rounds after one untimed warm-up; median and best are reported (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--dir", paramLabel = "DIR",
                description = "Write the files here and keep them (default: a fresh temporary folder, deleted afterwards).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            check(floatMb >= 1 && floatMb <= 4096, "--float-mb must be between 1 and 4096");
            check(int8Mb >= 1 && int8Mb <= 4096, "--int8-mb must be between 1 and 4096");
            check(iterations >= 1 && iterations <= 1000, "--iterations must be between 1 and 1000");
            PrintWriter out = spec.commandLine().getOut();
            out.println(environment());
            out.flush();
            List<PtIoBenchmark.FileReport> reports =
                    new PtIoBenchmark(new PtIoBenchmark.Config(floatMb, int8Mb, iterations, dir),
                            spec.commandLine().getErr()).run();
            out.println();
            out.print(PtIoReport.tables(reports, iterations));
            out.println();
            PtIoReport.verdicts(reports).forEach(out::println);
            out.flush();
            return 0;
        }

        private void check(boolean ok, String message) {
            if (!ok) {
                throw new ParameterException(spec.commandLine(), message);
            }
        }

        private static String environment() {
            Runtime rt = Runtime.getRuntime();
            return String.format("bench io: %s %s (%s), %d CPUs, max heap %d MB, %s %s",
                    System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"),
                    System.getProperty("java.vendor"), rt.availableProcessors(), rt.maxMemory() / 1_000_000,
                    System.getProperty("os.name"), System.getProperty("os.arch"));
        }
    }
}
