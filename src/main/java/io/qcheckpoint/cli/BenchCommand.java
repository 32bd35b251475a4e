package io.qcheckpoint.cli;

import io.qcheckpoint.cli.bench.BenchNetFiles;
import io.qcheckpoint.cli.bench.LoadBenchmark;
import io.qcheckpoint.cli.bench.LoadReport;
import io.qcheckpoint.cli.bench.NnBenchmark;
import io.qcheckpoint.cli.bench.NnNetwork;
import io.qcheckpoint.cli.bench.NnReport;
import io.qcheckpoint.cli.bench.PtIoBenchmark;
import io.qcheckpoint.cli.bench.PtIoReport;
import io.qcheckpoint.cli.bench.ResNets;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
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
        subcommands = {BenchCommand.Io.class, BenchCommand.Nn.class, ServeCommand.class, BenchCommand.Load.class})
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

    /** {@code bench nn}: int8 inference through Java module trees, against float32 and TorchScript. */
    @Command(name = "nn", mixinStandardHelpOptions = true,
            description = {"Run an MLP (3 x Linear(1024, 1024), batch 64) and a small ResNet-style CNN (batch 8 x 3 x 64"
                    + " x 64) three ways on libtorch: the Java module tree in float32, the Java int8 model (fused,"
                    + " converted, loaded with torch's quantized state dict) and torch's own quantized model as"
                    + " TorchScript. Checks both int8 outputs against torch's, then prints the time per call and the"
                    + " ratios float32/int8 and Java/TorchScript side by side.",
                "Run torchvision's ResNet-18 (batch 1 x 3 x 224 x 224) with one LPOT checkpoint loaded onto the"
                    + " hand-written Java tree and onto the model imported from its TorchScript file, and torch's"
                    + " int8 model as TorchScript; checks the outputs, then prints the ratios imported/hand-written"
                    + " and hand-written/TorchScript.",
                "Exits 0 whether or not the speed targets are met, 1 if an int8 output disagrees with its reference."})
    static final class Nn implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--models", paramLabel = "DIR",
                description = "The models that `/usr/bin/python3 src/test/python/nn_models.py bench-models DIR` (mlp,"
                        + " cnn) and `/usr/bin/python3 src/test/python/resnet_bench.py models DIR resnet18` wrote"
                        + " (default: run those generators into a temporary folder, deleted afterwards; needs a"
                        + " checkout and python3-torch with torchvision).")
        Path models;

        @Option(names = "--model", defaultValue = "all", paramLabel = "NAME",
                description = "mlp, cnn, resnet18 or all (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--rounds", defaultValue = "12", paramLabel = "N",
                description = "Timed rounds, 1..1000, after an untimed warm-up; median and best are reported"
                        + " (default: ${DEFAULT-VALUE}).")
        int rounds;

        @Option(names = "--calls", paramLabel = "N",
                description = "Calls of each variant per round, 1..100000 (default: enough that the fastest"
                        + " variant's round lasts 150 ms).")
        Integer calls;

        @Mixin
        EngineOption engine = new EngineOption();

        @Mixin
        IntraOpThreadsOption intraOp = new IntraOpThreadsOption();

        @SuppressWarnings("try") // the options' resources restore the engine and the threads when they close
        @Override
        public Integer call() throws IOException {
            check(rounds >= 1 && rounds <= 1000, "--rounds must be between 1 and 1000");
            check(calls == null || calls >= 1 && calls <= 100_000, "--calls must be between 1 and 100000");
            List<NnNetwork> nets;
            try {
                nets = model.equals("all") ? NnBenchmark.NETWORKS : List.of(NnBenchmark.byName(model));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--model must be mlp, cnn, resnet18 or all, not '"
                        + model + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = models != null ? models : generatedModels(spec, err, BenchNetFiles.GENERATOR,
                    d -> NnBenchmark.command(nets, d), d -> NnBenchmark.generate(d, nets, err));
            try (EngineOption.Selected selected = engine.select(); EngineOption.Selected threads = intraOp.select()) {
                NnBenchmark.requireFiles(dir, nets);
                out.println(NnReport.environment("bench nn"));
                out.println("models: " + dir + (models == null ? " (generated by " + NnBenchmark.generators(nets, "DIR")
                        .stream().map(g -> g.get(0)).collect(Collectors.joining(", ")) + ")" : ""));
                out.flush();
                List<NnBenchmark.NetReport> reports = new NnBenchmark(
                        new NnBenchmark.Config(dir, nets, rounds, calls == null ? 0 : calls), err).run();
                out.println();
                NnReport.checks(reports).forEach(out::println);
                out.println();
                out.print(NnReport.table(reports, rounds));
                out.println();
                NnReport.verdicts(reports).forEach(out::println);
                out.flush();
                return reports.stream().allMatch(NnBenchmark.NetReport::correct) ? Main.EXIT_OK : Main.EXIT_CHECK_FAILED;
            } finally {
                if (models == null) {
                    deleteTree(dir);
                }
            }
        }

        private void check(boolean ok, String message) {
            if (!ok) {
                throw new ParameterException(spec.commandLine(), message);
            }
        }
    }

    /** {@code bench load}: loading LPOT checkpoints of ResNet-18 and ResNet-50, against torch 1.13. */
    @Command(name = "load", mixinStandardHelpOptions = true,
            description = {"Load LPOT v1.5 checkpoints of torchvision's quantizable ResNet-18 and ResNet-50 (random fp32"
                    + " weights, quantized by torch 1.13) and compare with torch 1.13 doing LPOT's load steps, in one"
                    + " run: warm Checkpoints.load against torch's load; a fresh JVM against a fresh Python process, from"
                    + " process start to the first inference; how far each process's resident set rises while"
                    + " loading; and both sides packing the checkpoint's int8 weights alone.",
                "--intra-op-threads applies to both sides: this JVM, the fresh JVMs (ai.djl.pytorch.num_threads)"
                    + " and every Python process (OMP_NUM_THREADS).",
                "Exits 0 whether or not the targets are met, 1 if the loaded model's output disagrees with torch's."})
    static final class Load implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--models", paramLabel = "DIR",
                description = "The models that `/usr/bin/python3 src/test/python/resnet_bench.py models DIR` wrote"
                        + " (default: run that generator into a temporary folder, deleted afterwards; needs a checkout"
                        + " and python3-torch with torchvision).")
        Path models;

        @Option(names = "--model", defaultValue = "all", paramLabel = "NAME",
                description = "resnet18, resnet50 or all (default: ${DEFAULT-VALUE}).")
        String model;

        @Option(names = "--iterations", defaultValue = "7", paramLabel = "N",
                description = "Timed warm loads on each side, 1..1000, after untimed ones; median and best are"
                        + " reported (default: ${DEFAULT-VALUE}).")
        int iterations;

        @Option(names = "--fresh-runs", defaultValue = "3", paramLabel = "N",
                description = "Fresh processes on each side, 1..100, alternating; medians are reported"
                        + " (default: ${DEFAULT-VALUE}).")
        int freshRuns;

        @Option(names = "--jvm-option", paramLabel = "OPTION",
                description = "An option for the fresh JVMs (repeatable), e.g. --jvm-option=-XX:TieredStopAtLevel=1.")
        List<String> jvmOptions = List.of();

        @Option(names = "--load-threads", paramLabel = "N",
                description = "The threads that pack a Java load's weights (LoadOptions.withLoadThreads), 1..1024, in"
                        + " this JVM and the fresh ones (default: LoadOptions' default, the processors over the"
                        + " intra-op threads). torch's load packs one weight after the other.")
        Integer loadThreads;

        @Mixin
        EngineOption engine = new EngineOption();

        @Mixin
        IntraOpThreadsOption intraOp = new IntraOpThreadsOption();

        @SuppressWarnings("try") // the options' resources restore the engine and the threads when they close
        @Override
        public Integer call() throws IOException {
            if (iterations < 1 || iterations > 1000 || freshRuns < 1 || freshRuns > 100
                    || loadThreads != null && (loadThreads < 1 || loadThreads > IntraOpThreadsOption.MAX)) {
                throw new ParameterException(spec.commandLine(), "--iterations must be between 1 and 1000,"
                        + " --fresh-runs between 1 and 100, --load-threads between 1 and " + IntraOpThreadsOption.MAX);
            }
            List<ResNets.Arch> archs;
            try {
                archs = model.equals("all") ? ResNets.ALL : List.of(ResNets.byName(model));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--model must be resnet18, resnet50 or all, not '"
                        + model + "'");
            }
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            Path dir = models != null ? models : generatedModels(spec, err, LoadBenchmark.SCRIPT, LoadBenchmark::command,
                    d -> LoadBenchmark.generate(d, archs, err));
            try (EngineOption.Selected selected = engine.select(); EngineOption.Selected threads = intraOp.select()) {
                LoadBenchmark.requireFiles(dir, archs);
                out.println(NnReport.environment("bench load"));
                out.println("models: " + dir + (models == null ? " (generated by " + LoadBenchmark.SCRIPT + ")" : "")
                        + "; fresh JVM options: " + (jvmOptions.isEmpty() ? "none" : String.join(" ", jvmOptions))
                        + "; intra-op threads of the child processes: " + (intraOp.threads() == null ? "default"
                        : intraOp.threads()));
                LoadBenchmark.Config config = new LoadBenchmark.Config(dir, archs, iterations, freshRuns, jvmOptions,
                        intraOp.threads(), loadThreads == null ? 0 : loadThreads);
                out.println("Java loads pack on " + config.resolvedLoadThreads() + " thread(s)"
                        + (loadThreads == null ? " (LoadOptions' default here)" : "")
                        + "; torch's load packs one weight after the other");
                out.flush();
                List<LoadBenchmark.ArchReport> reports = new LoadBenchmark(config, err).run();
                out.println();
                LoadReport.checks(reports).forEach(out::println);
                out.println();
                out.print(LoadReport.table(reports));
                out.println();
                LoadReport.verdicts(reports).forEach(out::println);
                out.flush();
                return reports.stream().allMatch(r -> r.check().pass()) ? Main.EXIT_OK : Main.EXIT_CHECK_FAILED;
            } finally {
                if (models == null) {
                    deleteTree(dir);
                }
            }
        }
    }


    /** Writes the bench models into a new temporary folder with torch, or explains how to. */
    static Path generatedModels(CommandSpec spec, PrintWriter err) throws IOException {
        return generatedModels(spec, err, BenchNetFiles.GENERATOR, BenchNetFiles::command,
                dir -> BenchNetFiles.generate(dir, err));
    }

    /** A generator that writes models into a folder. */
    @FunctionalInterface
    interface Generator {
        void writeInto(Path dir) throws IOException;
    }

    /**
     * Writes models into a new temporary folder with {@code generator}, or explains how to.
     *
     * @param script the generator script, relative to a checkout's root
     * @param command the generator's command line for a folder, for messages
     */
    static Path generatedModels(CommandSpec spec, PrintWriter err, Path script,
            UnaryOperator<String> command, Generator generator) throws IOException {
        String how = "pass --models DIR, after writing the models with `" + command.apply("DIR")
                + "` from a checkout (it needs python3-torch)";
        if (!Files.isRegularFile(script) || !Files.isExecutable(BenchNetFiles.PYTHON)) {
            throw new ParameterException(spec.commandLine(), "no models: " + how);
        }
        Path dir = Files.createTempDirectory("qcheckpoint-bench-" + spec.name());
        err.println("generating the models: " + command.apply(dir.toString()));
        err.flush();
        try {
            generator.writeInto(dir);
            return dir;
        } catch (IOException e) {
            deleteTree(dir);
            throw new ParameterException(spec.commandLine(), "could not generate the models (" + e.getMessage()
                    + "); " + how);
        }
    }

    /** Deletes a folder and everything in it. */
    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
