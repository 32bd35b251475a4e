package io.qcheckpoint.cli;

import io.qcheckpoint.cli.bench.BenchNetFiles;
import io.qcheckpoint.cli.bench.BenchNets;
import io.qcheckpoint.cli.bench.NnBenchmark;
import io.qcheckpoint.cli.bench.ServeBenchmark;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TorchThreads;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code bench serve}: one int8 model served by 1, 2, 4 and 8 request threads. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve one Java int8 model (bench nn's CNN or MLP) from several request threads at once, each"
                + " with its own NDManager, and print throughput and p50/p99 latency per thread count, with the ratios"
                + " against the first row.",
            "libtorch's intra-op and inter-op thread counts are options: with many request threads, libtorch's"
                + " default intra-op pool (one thread per core) oversubscribes the cores."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--models", paramLabel = "DIR",
            description = "The models that `/usr/bin/python3 src/test/python/nn_models.py bench-models DIR` wrote"
                    + " (default: generate them into a temporary folder, deleted afterwards).")
    Path models;

    @Option(names = "--model", defaultValue = "cnn", paramLabel = "NAME", description = "mlp or cnn (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--threads", defaultValue = "1,2,4,8", split = ",", paramLabel = "N",
            description = "Request thread counts, 1..256 each (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--requests", defaultValue = "50", paramLabel = "N",
            description = "Timed requests per thread, 1..100000, after --warmup untimed ones (default: ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "N", description = "Untimed requests per thread (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--inter-op-threads", paramLabel = "N",
            description = "libtorch's inter-op threads (torch.set_num_interop_threads); settable once per process,"
                    + " before any parallel work (default: libtorch's).")
    Integer interOp;

    @Mixin
    EngineOption engine = new EngineOption();

    @Mixin
    IntraOpThreadsOption intraOp = new IntraOpThreadsOption();

    /** Creates the command; picocli calls this. */
    ServeCommand() {
    }

    @SuppressWarnings("try") // the options' resources restore the engine and the threads when they close
    @Override
    public Integer call() throws Exception {
        check(!threads.isEmpty() && threads.stream().allMatch(n -> n >= 1 && n <= 256), "--threads must be between 1 and 256");
        check(requests >= 1 && requests <= 100_000, "--requests must be between 1 and 100000");
        check(warmup >= 0 && warmup <= 100_000, "--warmup must be between 0 and 100000");
        check(interOp == null || interOp >= 1, "--inter-op-threads must be at least 1");
        BenchNets.Net net = switch (model) {
            case "mlp", "cnn" -> BenchNets.byName(model);
            default -> throw new ParameterException(spec.commandLine(), "--model must be mlp or cnn, not '" + model + "'");
        };
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (interOp != null) {
            try {
                TorchThreads.setInterOp(interOp);
            } catch (IllegalStateException e) {
                throw new ParameterException(spec.commandLine(), "--inter-op-threads: " + e.getMessage());
            }
        }
        Path dir = models != null ? models : BenchCommand.generatedModels(spec, err);
        try (EngineOption.Selected selected = engine.select(); EngineOption.Selected threadCount = intraOp.select()) {
            NnBenchmark.requireFiles(dir, List.of(net));
            out.println(String.format(Locale.ROOT, "bench serve: %s int8, %d CPUs, int8 engine %s, intra-op threads %d,"
                    + " inter-op threads %d, %d timed requests per thread", net.name(),
                    Runtime.getRuntime().availableProcessors(), QuantizedEngines.get(), TorchThreads.intraOp(),
                    TorchThreads.interOp(), requests));
            out.flush();
            List<ServeBenchmark.Row> rows = new ServeBenchmark(new ServeBenchmark.Config(new BenchNetFiles(dir, net),
                    threads, requests, warmup)).run();
            out.println();
            out.print(ServeBenchmark.table(rows));
            out.flush();
            return Main.EXIT_OK;
        } finally {
            if (models == null) {
                BenchCommand.deleteTree(dir);
            }
        }
    }

    private void check(boolean ok, String message) {
        if (!ok) {
            throw new ParameterException(spec.commandLine(), message);
        }
    }
}
