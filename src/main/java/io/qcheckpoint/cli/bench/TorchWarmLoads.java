package io.qcheckpoint.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * torch 1.13's warm loads, one at a time on request, so that the benchmark can alternate them with
 * its own and both sides see the same machine: {@code resnet_bench.py warm DIR ARCH} loads once
 * untimed, prints {@code ready}, then loads once per line it reads and prints the milliseconds.
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
        in.write('\n');
        in.flush();
        String line = out.readLine();
        try {
            return Double.parseDouble(String.valueOf(line));
        } catch (NumberFormatException e) {
            throw new IOException(LoadBenchmark.SCRIPT + " warm printed '" + line + "', not a time in ms");
        }
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
