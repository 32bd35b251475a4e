package io.qcheckpoint.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one fresh process through the protocol of {@code bench load} and measures it from outside:
 * the child starts its runtime (JVM and libtorch, or Python and {@code import torch}), prints
 * {@code ready} and waits for a line; the parent reads the child's resident set from
 * {@code /proc/PID/status} and sends the line; the child builds the fp32 model, loads the
 * checkpoint, runs one inference and prints {@code done LOAD_MS FORWARD_MS}, then waits again while
 * the parent reads the child's peak resident set ({@code VmHWM}).
 */
final class FreshProcess {
    /** A child that takes longer than this is killed. */
    private static final long TIMEOUT_S = 300;

    /**
     * One fresh process's figures.
     *
     * @param msToFirstInference from the start of the process to its {@code done} line, less the
     *     time the parent held it at {@code ready}
     * @param loadMs the fp32 model and the checkpoint's load, as the child timed it
     * @param forwardMs the first inference, as the child timed it
     * @param readyRssKb the resident set at {@code ready} (runtime started, nothing loaded)
     * @param peakRssKb the peak resident set at {@code done}
     */
    record Result(double msToFirstInference, double loadMs, double forwardMs, long readyRssKb, long peakRssKb) {
        /** Returns how far the peak resident set rose above the one at {@code ready}, in kB. */
        long loadRssKb() {
            return peakRssKb - readyRssKb;
        }
    }

    private FreshProcess() {
    }

    /**
     * Runs the command through the protocol.
     *
     * @param child the child's command line and environment
     * @return its figures
     * @throws IOException if it cannot start, exits early, says something else than the protocol, or
     *     runs past five minutes; the message ends with the last line of its stderr
     */
    static Result run(ProcessBuilder child) throws IOException {
        Path errors = Files.createTempFile("qcheckpoint-bench-load", ".log");
        long start = System.nanoTime();
        Process p = child.redirectError(errors.toFile()).start();
        Thread watchdog = new Thread(() -> {
            try {
                if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             OutputStream in = p.getOutputStream()) {
            expect(out, "ready", errors);
            long held = System.nanoTime();
            long readyRss = status(p.pid(), "VmRSS");
            in.write('\n');
            in.flush();
            held = System.nanoTime() - held;
            String[] done = expect(out, "done", errors).split(" ");
            double ms = (System.nanoTime() - start - held) / 1e6;
            long peak = status(p.pid(), "VmHWM");
            in.write('\n');
            in.flush();
            if (done.length != 3) {
                throw failure("printed '" + String.join(" ", done) + "', not 'done LOAD_MS FORWARD_MS'", errors);
            }
            return new Result(ms, Double.parseDouble(done[1]), Double.parseDouble(done[2]), readyRss, peak);
        } catch (NumberFormatException e) {
            throw failure("printed a malformed 'done' line (" + e.getMessage() + ")", errors);
        } finally {
            try {
                if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            Files.deleteIfExists(errors);
        }
    }

    private static String expect(BufferedReader out, String word, Path errors) throws IOException {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.equals(word) || line.startsWith(word + " ")) {
                return line;
            }
        }
        throw failure("ended before printing '" + word + "'", errors);
    }

    private static IOException failure(String what, Path errors) throws IOException {
        List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
        return new IOException("the fresh process " + what + (lines.isEmpty() ? "" : ": " + lines.get(lines.size() - 1)));
    }

    /** Returns a {@code kB} field of {@code /proc/PID/status}. */
    private static long status(long pid, String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8)) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
            }
        }
        throw new IOException("/proc/" + pid + "/status has no " + field);
    }
}
