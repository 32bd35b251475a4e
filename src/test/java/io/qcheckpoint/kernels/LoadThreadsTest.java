package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link LoadThreads}: order, concurrency, and what a failure leaves behind. */
class LoadThreadsTest {
    /** A result that records whether it was closed. */
    private static final class Result implements AutoCloseable {
        final int id;
        boolean closed;

        Result(int id) {
            this.id = id;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void returnsResultsInJobOrderAndStartsTheCostliestFirst() {
        List<Integer> started = Collections.synchronizedList(new ArrayList<>());
        long[] costs = {5, 40, 1, 40, 17};
        List<LoadThreads.Job<Result>> jobs = new ArrayList<>();
        for (int i = 0; i < costs.length; i++) {
            int id = i;
            jobs.add(new LoadThreads.Job<>(costs[i], () -> {
                started.add(id);
                return new Result(id);
            }));
        }
        List<Result> results = LoadThreads.runAll(jobs, 1);
        assertEquals(List.of(0, 1, 2, 3, 4), results.stream().map(r -> r.id).toList());
        assertEquals(List.of(1, 3, 4, 0, 2), started, "by cost, largest first; ties in job order");
        assertEquals(Thread.currentThread().getName(), runOn(1).iterator().next(), "one thread: the caller's");
    }

    @Test
    void runsJobsOnSeveralThreadsAtOnce() {
        // each job waits until three of them are running: that only ends if three threads run them
        Set<String> threads = runOn(3);
        assertEquals(3, threads.size(), threads.toString());
        assertTrue(threads.contains(Thread.currentThread().getName()), "the caller works too: " + threads);
    }

    @Test
    void aFailureClosesEveryResultMadeAndStartsNoFurtherJob() {
        AtomicInteger started = new AtomicInteger();
        List<Result> made = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException boom = new IllegalStateException("libtorch refused weight 2");
        List<LoadThreads.Job<Result>> jobs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int id = i;
            jobs.add(new LoadThreads.Job<>(10 - i, () -> {
                started.incrementAndGet();
                if (id == 2) {
                    throw boom;
                }
                Result r = new Result(id);
                made.add(r);
                return r;
            }));
        }
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> LoadThreads.runAll(jobs, 1));
        assertSame(boom, thrown);
        assertEquals(3, started.get(), "jobs 0 and 1 ran, 2 failed, 3 and 4 never started");
        assertEquals(2, made.size());
        made.forEach(r -> assertTrue(r.closed, "result " + r.id + " left open"));
    }

    @Test
    void everyFailureIsReportedAndEveryResultClosedWhenThreadsFailTogether() {
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        List<Result> made = Collections.synchronizedList(new ArrayList<>());
        List<LoadThreads.Job<Result>> jobs = new ArrayList<>();
        // the costliest job succeeds first; then its thread and the other run the two failing ones together
        jobs.add(new LoadThreads.Job<>(20, () -> {
            Result r = new Result(0);
            made.add(r);
            return r;
        }));
        for (int i = 1; i <= 2; i++) {
            int id = i;
            jobs.add(new LoadThreads.Job<>(10, () -> {
                await(bothRunning);
                throw new IllegalArgumentException("job " + id);
            }));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoadThreads.runAll(jobs, 2));
        assertEquals(1, e.getSuppressed().length, "the other thread's failure is suppressed into the first");
        assertEquals(1, made.size());
        assertTrue(made.get(0).closed, "the result made before the failures was left open");
    }

    @Test
    void noJobsNeedNoThreadAndAZeroCountIsRefused() {
        assertEquals(List.of(), LoadThreads.runAll(List.<LoadThreads.Job<Result>>of(), 8));
        assertThrows(IllegalArgumentException.class, () -> LoadThreads.runAll(List.<LoadThreads.Job<Result>>of(), 0));
    }

    @Test
    void theDefaultSharesTheProcessorsWithLibtorchsIntraOpThreads() {
        int before = TorchThreads.intraOp();
        int processors = Runtime.getRuntime().availableProcessors();
        try {
            TorchThreads.setIntraOp(1);
            assertEquals(processors, LoadThreads.defaultCount());
            TorchThreads.setIntraOp(processors * 2);
            assertEquals(1, LoadThreads.defaultCount());
        } finally {
            TorchThreads.setIntraOp(before);
        }
    }

    /** Runs {@code n} jobs that each wait for all {@code n} to be running, on {@code n} threads; returns their threads' names. */
    private static Set<String> runOn(int n) {
        Set<String> names = ConcurrentHashMap.newKeySet();
        CyclicBarrier allRunning = new CyclicBarrier(n);
        List<LoadThreads.Job<Result>> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int id = i;
            Supplier<Result> work = () -> {
                names.add(Thread.currentThread().getName());
                await(allRunning);
                return new Result(id);
            };
            jobs.add(new LoadThreads.Job<>(1, work));
        }
        assertEquals(n, LoadThreads.runAll(jobs, n).size());
        return names;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the jobs did not run at the same time", e);
        }
    }
}
