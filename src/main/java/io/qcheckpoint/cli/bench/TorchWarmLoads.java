package io.qcheckpoint.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * torch 1.13's warm loads, one at a time on request, so that the benchmark can alternate them with
 * its own and both sides see the same machine: {@code resnet_bench.py warm DIR ARCH} loads once
 * untimed, prints {@code ready}, then loads once per line it reads and prints the milliseconds; a
 * line {@code pack} packs the checkpoint's weights alone instead ({@link WeightPacking}).
 */
final class TorchWarmLoads implements AutoCloseable {
    private final Process process;
    private final BufferedReader out;
    private final OutputStream in;

    /**
     * Starts the Python process and waits until it has loaded once.
     *
     * @param warm {@code resnet_bench.py warm DIR ARCH}, with its environment
     * @throws IOException if it cannot start or ends before {@code ready}
     */
    TorchWarmLoads(ProcessBuilder warm) throws IOException {
        process = warm.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        in = process.getOutputStream();
        String line = out.readLine();
        if (!"ready".equals(line)) {
            close();
            throw new IOException(LoadBenchmark.SCRIPT + " warm ended before its first load (see its errors above)");
        }
    }

    /**
     * Has torch load once more.
     *
     * @return the milliseconds the load took, as Python timed it
     * @throws IOException if the process ends or prints something else than a number
     */
    double load() throws IOException {
        String line = request("");
        try {
            return Double.parseDouble(String.valueOf(line));
        } catch (NumberFormatException e) {
            throw new IOException(LoadBenchmark.SCRIPT + " warm printed '" + line + "', not a time in ms");
        }
    }

    /**
     * Has torch pack the checkpoint's int8 weights once, as {@link WeightPacking#packAllMs} does.
     *
     * @return the milliseconds and how many weights torch packed
     * @throws IOException if the process ends or prints something else than a time and a count
     */
    Packing pack() throws IOException {
        String line = request("pack");
        String[] parts = String.valueOf(line).split(" ");
        try {
            if (parts.length == 2) {
                return new Packing(Double.parseDouble(parts[0]), Integer.parseInt(parts[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(LoadBenchmark.SCRIPT + " warm printed '" + line + "', not a time in ms and a count");
    }

    /**
     * torch's packing of a checkpoint's weights.
     *
     * @param ms the milliseconds it took
     * @param count how many weights it packed
     */
    record Packing(double ms, int count) {
    }

    private String request(String command) throws IOException {
        in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
        return out.readLine();
    }

    @Override
    public void close() throws IOException {
        in.close();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
