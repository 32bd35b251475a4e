package io.qcheckpoint.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The files that {@code nn_models.py bench-models DIR} writes for one {@link BenchNets.Net}, and
 * running that generator. The models come from real torch so that the benchmark runs the weights,
 * qparams and TorchScript archive that PyTorch itself produced.
 *
 * @param dir the folder the generator wrote into
 * @param net the network
 */
public record BenchNetFiles(Path dir, BenchNets.Net net) {
    /** The interpreter the generator is written for (Debian's, with {@code python3-torch}). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");
    /** The generator, relative to a checkout's root. */
    public static final Path GENERATOR = Path.of("src/test/python/nn_models.py");

    private static final long GENERATOR_TIMEOUT_S = 600;

    /** Returns the float model's state dict ({@code <m>.float_sd.pt}). */
    public Path floatStateDict() {
        return file("float_sd.pt");
    }

    /** Returns torch's quantized model's state dict ({@code <m>.q_sd.pt}). */
    public Path quantizedStateDict() {
        return file("q_sd.pt");
    }

    /** Returns the input tensor ({@code <m>.input.pt}). */
    public Path input() {
        return file("input.pt");
    }

    /** Returns torch's quantized model's output on the input ({@code <m>.q_output.pt}). */
    public Path quantizedOutput() {
        return file("q_output.pt");
    }

    /** Returns the description, with the output qparams ({@code <m>.json}). */
    public Path description() {
        return file("json");
    }

    /** Returns {@code torch.jit.script} of torch's quantized model ({@code <m>.ts.pt}). */
    public Path torchScript() {
        return file("ts.pt");
    }

    /**
     * Returns the files that are missing.
     *
     * @return their paths; empty when all six are there
     */
    public List<Path> missing() {
        return List.of(floatStateDict(), quantizedStateDict(), input(), quantizedOutput(), description(), torchScript())
                .stream().filter(p -> !Files.isRegularFile(p)).toList();
    }

    private Path file(String suffix) {
        return dir.resolve(net.file() + "." + suffix);
    }

    /** Returns the command that writes the models into {@code dir}, for messages. */
    public static String command(String dir) {
        return PYTHON + " " + GENERATOR + " bench-models " + dir;
    }

    /**
     * Runs the generator into {@code dir}; what it prints goes to {@code log}.
     *
     * @param dir an existing folder
     * @param log where the generator's output goes
     * @throws IOException if it cannot be started, does not finish within ten minutes, or exits non-zero
     *     (the message ends with its last line of output, typically torch's import error)
     */
    public static void generate(Path dir, PrintWriter log) throws IOException {
        runPython(List.of(GENERATOR.toString(), "bench-models", dir.toString()), log);
    }

    /**
     * Runs {@link #PYTHON} with {@code args}, stdout and stderr together; what it prints goes to {@code log}.
     *
     * @param args the script and its arguments
     * @param log where the output goes
     * @return the output's lines
     * @throws IOException if it cannot be started, does not finish within ten minutes, or exits non-zero
     *     (the message ends with its last line of output, typically torch's import error)
     */
    public static List<String> runPython(List<String> args, PrintWriter log) throws IOException {
        Path output = Files.createTempFile("qcheckpoint-bench-python", ".log");
        try {
            List<String> command = new ArrayList<>();
            command.add(PYTHON.toString());
            command.addAll(args);
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            boolean done = p.waitFor(GENERATOR_TIMEOUT_S, TimeUnit.SECONDS);
            if (!done) {
                p.destroyForcibly();
            }
            List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
            lines.forEach(log::println);
            log.flush();
            if (!done || p.exitValue() != 0) {
                String last = lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
                throw new IOException(args.get(0) + (done ? " exited " + p.exitValue() + ": " + last
                        : " did not finish in " + GENERATOR_TIMEOUT_S + " s"));
            }
            return lines;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + args.get(0), e);
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
