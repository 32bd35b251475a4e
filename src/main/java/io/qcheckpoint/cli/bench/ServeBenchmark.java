package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One int8 model served by several request threads at once, each with its own {@link NDManager}:
 * throughput and latency percentiles per thread count.
 */
public final class ServeBenchmark {
    /**
     * What to run.
     *
     * @param files the network's files (the Java int8 model is served)
     * @param threadCounts the request thread counts, one row each
     * @param requests requests per thread, after {@code warmup} untimed ones
     * @param warmup untimed requests per thread
     */
    public record Config(BenchNetFiles files, List<Integer> threadCounts, int requests, int warmup) {
    }

    /**
     * One thread count's result.
     *
     * @param threads request threads
     * @param requests timed requests in all
     * @param seconds wall time of the timed requests
     * @param p50Ms median latency in ms
     * @param p99Ms 99th percentile latency in ms
     */
    public record Row(int threads, int requests, double seconds, double p50Ms, double p99Ms) {
        /** Returns requests per second. */
        public double throughput() {
            return requests / seconds;
        }
    }

    private final Config config;

    /** Creates the benchmark. */
    public ServeBenchmark(Config config) {
        this.config = config;
    }

    /**
     * Loads the model once and serves it at each thread count.
     *
     * @return one row per thread count, in the order given
     * @throws IOException if a file cannot be read
     * @throws InterruptedException if interrupted while waiting for the request threads
     */
    public List<Row> run() throws IOException, InterruptedException {
        Tensor input = (Tensor) TorchFiles.read(config.files().input()).root();
        List<Row> rows = new ArrayList<>();
        try (NnVariants variants = NnVariants.load(config.files())) {
            NnVariants.Variant model = variants.int8();
            for (int threads : config.threadCounts()) {
                rows.add(serve(model, input, threads));
            }
        }
        return rows;
    }

    private Row serve(NnVariants.Variant model, Tensor input, int threads) throws InterruptedException {
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<long[]>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> requests(model, input, start)));
            }
            start.await();
            long t0 = System.nanoTime();
            long[] all = new long[threads * config.requests()];
            int n = 0;
            for (Future<long[]> f : futures) {
                long[] one = f.get();
                System.arraycopy(one, 0, all, n, one.length);
                n += one.length;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            Arrays.sort(all);
            return new Row(threads, all.length, seconds, percentile(all, 0.50), percentile(all, 0.99));
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.BrokenBarrierException e) {
            throw new IllegalStateException("a request thread failed: " + e.getCause(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** One request thread: its own manager and input, warm-up, then timed requests; returns the latencies in ns. */
    private long[] requests(NnVariants.Variant model, Tensor input, CyclicBarrier start) throws Exception {
        long[] latencies = new long[config.requests()];
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = TensorArrays.toNDArray(manager, input);
            for (int i = 0; i < config.warmup(); i++) {
                try (NDManager request = manager.newSubManager()) {
                    model.forward(x).attach(request);
                }
            }
            start.await();
            for (int i = 0; i < latencies.length; i++) {
                long t = System.nanoTime();
                try (NDManager request = manager.newSubManager()) {
                    model.forward(x).attach(request);
                }
                latencies[i] = System.nanoTime() - t;
            }
        }
        return latencies;
    }

    private static double percentile(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    /**
     * Formats the rows: threads, requests/s, p50 and p99 latency, and throughput and p50 against the first row.
     *
     * @param rows the results
     * @return the table, lines ending in a newline
     */
    public static String table(List<Row> rows) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%-8s %10s %10s %10s %14s %10s%n", "threads", "req/s", "p50 ms", "p99 ms",
                "req/s ratio", "p50 ratio"));
        Row first = rows.get(0);
        for (Row r : rows) {
            b.append(String.format(Locale.ROOT, "%-8d %10.1f %10.3f %10.3f %14.2f %10.2f%n", r.threads(), r.throughput(),
                    r.p50Ms(), r.p99Ms(), r.throughput() / first.throughput(), r.p50Ms() / first.p50Ms()));
        }
        return b.toString();
    }
}
