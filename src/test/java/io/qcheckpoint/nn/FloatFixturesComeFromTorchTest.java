package io.qcheckpoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed fixtures under fixtures/nn-float are exactly what {@code float_oracle.py generate}
 * makes with the real torch today: nothing in them was edited by hand or produced by Java.
 */
class FloatFixturesComeFromTorchTest {
    @TempDir
    Path dir;

    @Test
    void regeneratingTheFixturesReproducesTheCommittedFiles() throws Exception {
        PythonTorch.require();
        ProcessBuilder pb = new ProcessBuilder(PythonTorch.PYTHON.toString(),
                PythonTorch.SCRIPTS.resolve(FloatFixtures.SCRIPT).toString(), "generate")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("stderr.txt").toFile());
        Path out = Files.createDirectories(dir.resolve("nn-float"));
        pb.environment().put("QCHECKPOINT_FIXTURES_OUT", out.toString());
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the oracle did not finish in five minutes");
        }
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("stderr.txt")));

        List<String> committed = names(FloatFixtures.DIR);
        assertEquals(committed, names(out));
        for (String name : committed) {
            assertArrayEquals(Files.readAllBytes(FloatFixtures.DIR.resolve(name)), Files.readAllBytes(out.resolve(name)),
                    name + " differs from what the oracle writes with this torch");
        }
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
