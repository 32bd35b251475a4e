package io.qcheckpoint.kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a load's libtorch work, such as prepacking each weight, on several threads at once. libtorch
 * packs one weight on the calling thread, over its intra-op threads; when the machine has
 * processors to spare, packing several weights side by side finishes sooner. Each thread runs with
 * libtorch's intra-op count, so {@link #defaultCount()} threads together use at most the machine's
 * processors.
 */
public final class LoadThreads {
    private LoadThreads() {
    }

    /**
     * One piece of work and its cost (a weight's number of values, say): the costliest start first,
     * so that no thread is left with a large piece at the end.
     *
     * @param cost the cost, in any unit shared by the jobs of one run
     * @param work the work; its result is closed if another job fails
     * @param <T> the result
     */
    public record Job<T extends AutoCloseable>(long cost, Supplier<T> work) {
    }

    /**
     * Returns the number of threads a load uses unless told otherwise: the processors available to
     * the JVM over libtorch's intra-op thread count, at least 1. With libtorch's default pool (one
     * thread per core) that is 1; after {@code TorchThreads.setIntraOp(1)}, one per processor.
     */
    public static int defaultCount() {
        return Math.max(1, Runtime.getRuntime().availableProcessors() / TorchThreads.intraOp());
    }

    /**
     * Runs every job, the costliest first, on the calling thread and up to {@code threads - 1} helper
     * threads that end with the call. When a job throws, no further job starts, every result made
     * so far is closed, and the first failure is thrown with the later ones suppressed.
     *
     * @param jobs the jobs
     * @param threads the most threads to run them on, the calling thread included
     * @param <T> the results
     * @return the results, in the order of {@code jobs}
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public static <T extends AutoCloseable> List<T> runAll(List<Job<T>> jobs, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, not " + threads);
        }
        Run<T> run = new Run<>(jobs);
        List<Thread> helpers = new ArrayList<>();
        for (int i = 1; i < Math.min(threads, jobs.size()); i++) {
            Thread t = new Thread(run::work, "qcheckpoint-load-" + i);
            t.setDaemon(true);
            try {
                t.start();
            } catch (OutOfMemoryError e) {
                break; // no native thread to be had: the threads already started do the work
            }
            helpers.add(t);
        }
        run.work();
        helpers.forEach(LoadThreads::joinUninterruptibly);
        return run.results();
    }

    /** Waits for a helper even when interrupted: it may still be making a native resource. */
    private static void joinUninterruptibly(Thread t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The shared state of one {@link #runAll}: the order, the next job to take, results and failures. */
    private static final class Run<T extends AutoCloseable> {
        private final List<Job<T>> jobs;
        private final Integer[] order;
        private final AutoCloseable[] results;
        private final AtomicInteger next = new AtomicInteger();
        private final List<Throwable> failures = new ArrayList<>();

        Run(List<Job<T>> jobs) {
            this.jobs = List.copyOf(jobs);
            this.order = new Integer[jobs.size()];
            Arrays.setAll(order, i -> i);
            Arrays.sort(order, Comparator.comparingLong((Integer i) -> this.jobs.get(i).cost()).reversed());
            this.results = new AutoCloseable[jobs.size()];
        }

        void work() {
            for (int k = next.getAndIncrement(); k < order.length && !failed(); k = next.getAndIncrement()) {
                int i = order[k];
                try {
                    T result = jobs.get(i).work().get();
                    synchronized (this) {
                        results[i] = result;
                    }
                } catch (RuntimeException | Error e) {
                    synchronized (this) {
                        failures.add(e);
                    }
                }
            }
        }

        private synchronized boolean failed() {
            return !failures.isEmpty();
        }

        @SuppressWarnings("unchecked")
        synchronized List<T> results() {
            if (failures.isEmpty()) {
                List<T> out = new ArrayList<>(results.length);
                for (AutoCloseable r : results) {
                    out.add((T) r);
                }
                return out;
            }
            Throwable first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            for (AutoCloseable r : results) {
                closeQuietly(r, first);
            }
            if (first instanceof Error e) {
                throw e;
            }
            throw (RuntimeException) first;
        }

        private static void closeQuietly(AutoCloseable r, Throwable into) {
            if (r == null) {
                return;
            }
            try {
                r.close();
            } catch (Exception e) {
                into.addSuppressed(e);
            }
        }
    }
}
