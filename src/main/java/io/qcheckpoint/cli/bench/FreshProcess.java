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
 * {@code /proc/PID/status} and sends the line; the child builds the fp32 model, prints
 * {@code model} and waits; the parent reads the resident set again and resets the peak (writing 5 to
 * {@code /proc/PID/clear_refs}); the child loads the checkpoint, runs one inference and prints
 * {@code done MODEL_MS LOAD_MS FORWARD_MS}, then waits again while the parent reads the peak resident
 * set ({@code VmHWM}), which now covers the checkpoint's load and the inference only.
 */
final class FreshProcess {
    /** A child that takes longer than this is killed. */
    private static final long TIMEOUT_S = 300;

    /**
     * One fresh process's figures.
     *
     * @param msToFirstInference from the start of the process to its {@code done} line, less the
     *     time the parent held it at {@code ready} and {@code model}
     * @param readyMs from the start of the process to its {@code ready} line: the runtime started,
     *     before any model work
     * @param modelMs building the fp32 model with its weights, as the child timed it
     * @param loadMs the checkpoint's load, as the child timed it
     * @param forwardMs the first inference, as the child timed it
     * @param readyRssKb the resident set at {@code ready} (runtime started, nothing loaded)
     * @param modelRssKb the resident set at {@code model} (the fp32 model built)
     * @param peakRssKb the peak resident set from {@code model} to {@code done}
     */
    record Result(double msToFirstInference, double readyMs, double modelMs, double loadMs, double forwardMs,
                  long readyRssKb, long modelRssKb, long peakRssKb) {
        /** Returns how far the peak resident set rose above the one at {@code model}, in kB: the checkpoint's load. */
        long loadRssKb() {
            return peakRssKb - modelRssKb;
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
            double readyMs = (held - start) / 1e6;
            long readyRss = status(p.pid(), "VmRSS");
            go(in);
            held = System.nanoTime() - held;
            expect(out, "model", errors);
            long heldAtModel = System.nanoTime();
            long modelRss = status(p.pid(), "VmRSS");
            // from here VmHWM is the peak of the checkpoint's load (Linux 4.0+)
            Files.writeString(Path.of("/proc", Long.toString(p.pid()), "clear_refs"), "5");
            go(in);
            held += System.nanoTime() - heldAtModel;
            String[] done = expect(out, "done", errors).split(" ");
            double ms = (System.nanoTime() - start - held) / 1e6;
            long peak = status(p.pid(), "VmHWM");
            go(in);
            if (done.length != 4) {
                throw failure("printed '" + String.join(" ", done) + "', not 'done MODEL_MS LOAD_MS FORWARD_MS'",
                        errors);
            }
            return new Result(ms, readyMs, Double.parseDouble(done[1]), Double.parseDouble(done[2]),
                    Double.parseDouble(done[3]), readyRss, modelRss, peak);
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

    private static void go(OutputStream in) throws IOException {
        in.write('\n');
        in.flush();
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
