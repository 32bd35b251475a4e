package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.lpot.BadCheckpointsCli;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile or damaged file of the corpus, read by {@code inspect} and {@code inspect --json}
 * in a JVM of 512 MB of heap with 20 s per run: each ends with exit 2 and one line naming the file.
 * Never exit 1 or 3, a stack trace, an {@code Error} (out of memory, stack overflow) or a hang.
 */
class CorpusUnderHeapLimitTest {
    private static final Path BAD = Path.of("src/test/resources/fixtures/bad");
    private static final int SECONDS_PER_RUN = 20;

    @TempDir
    Path dir;

    @Test
    void everyBadFileIsOneLineOfBadInputWithinTheLimits() throws Exception {
        List<Path> files = corpus();
        assertTrue(files.size() >= 60, "the corpus is complete: " + files.size());
        List<Path> runs = new ArrayList<>();
        for (Path f : files) {
            runs.add(Files.write(dir.resolve(runs.size() + ".args"), List.of("inspect", f.toString())));
            runs.add(Files.write(dir.resolve(runs.size() + ".args"), List.of("inspect", "--json", f.toString())));
        }
        List<String> lines = drive(runs);
        assertEquals(runs.size(), lines.size(), () -> "the driver stopped early: " + lines);
        for (int i = 0; i < runs.size(); i++) {
            String[] cols = lines.get(i).split("\t", -1);
            String err = new String(Base64.getDecoder().decode(cols[3]), StandardCharsets.UTF_8).strip();
            String what = Files.readAllLines(runs.get(i)) + " gave exit " + cols[1] + ": " + err;
            assertEquals("2", cols[1], what);
            assertEquals(1, err.lines().count(), what);
            assertTrue(err.startsWith("qcheckpoint: " + files.get(i / 2)), what);
        }
    }

    /** Runs the commands in one JVM of 512 MB heap ({@link BadCheckpointsCli}); one output line each. */
    private List<String> drive(List<Path> runs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Xss512k", "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", System.getProperty("java.class.path"), BadCheckpointsCli.class.getName(),
                Integer.toString(SECONDS_PER_RUN)));
        runs.forEach(r -> cmd.add(r.toString()));
        Path out = dir.resolve("out.txt");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        if (!p.waitFor((long) SECONDS_PER_RUN * runs.size() + 60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return Files.readAllLines(out).stream().filter(l -> l.matches("\\d+\\.args\t.*")).toList();
    }

    private static List<Path> corpus() throws IOException {
        try (Stream<Path> s = Files.list(BAD)) {
            return s.filter(p -> p.toString().endsWith(".pt")).sorted().toList();
        }
    }
}
