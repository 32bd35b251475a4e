package io.qcheckpoint.djl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code examples/serve-http/run} as CI and a user do (on the test class path instead of a
 * built jar): the server starts, answers concurrent requests as PyTorch does, and stops cleanly; and
 * the script fails when the answers do not match.
 */
class ServeHttpExampleTest {
    private static final Path RUN = Path.of("examples/serve-http/run");
    private static final Path EXAMPLE = Path.of("examples/serve-lpot-checkpoint");

    @TempDir
    Path dir;

    private record Run(int exitCode, String output) {
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(RUN.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "run", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("QCHECKPOINT_CLASSPATH", System.getProperty("java.class.path"));
        Process p = pb.start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);   // the server, which the script's trap would have stopped
            p.destroyForcibly();
            fail("the example did not finish within 5 minutes:\n" + Files.readString(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void theServiceAnswersAsPytorchAndStopsCleanly() throws Exception {
        Run r = run();
        assertEquals(0, r.exitCode(), r.output());
        assertTrue(r.output().contains("GET /health: 200 ok"), r.output());
        assertTrue(r.output().contains("POST /predict with 3 floats: 400 an image is 192 floats"), r.output());
        assertTrue(r.output().contains("200 requests from 8 threads: "), r.output());
        assertTrue(r.output().contains("all answers agree with PyTorch"), r.output());
        assertTrue(r.output().contains("\nstopped after 200 predictions\n"), r.output());
    }

    /** The same service against a wrong oracle: PyTorch's output moved by two output steps at one logit. */
    @Test
    void theScriptFailsWhenAnAnswerDiffers() throws Exception {
        Path copy = Files.createDirectories(dir.resolve("example"));
        try (Stream<Path> files = Files.walk(EXAMPLE)) {
            for (Path f : files.toList()) {
                Path to = copy.resolve(EXAMPLE.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Tensor torch = (Tensor) TorchFiles.read(EXAMPLE.resolve("output.pt")).root();
        float[] wrong = torch.toFloatArray();
        double step = TorchFiles.readStateDict(EXAMPLE.resolve("checkpoint/best_model_weights.pt")).tensor("fc.scale").toDoubleArray()[0];
        wrong[3] += (float) (2 * step);
        Files.delete(copy.resolve("output.pt"));
        TorchFiles.write(copy.resolve("output.pt"), Tensor.fromFloats(wrong, torch.shape()));
        Run r = run(copy.toString());
        assertEquals(1, r.exitCode(), r.output());
        assertTrue(r.output().contains("MISMATCH image 0: "), r.output());
        assertTrue(r.output().contains("\nstopped after 200 predictions\n"), r.output());
    }
}
