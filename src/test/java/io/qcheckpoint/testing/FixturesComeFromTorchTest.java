package io.qcheckpoint.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed torch fixtures (files and what torch saw in them) are exactly what their generator
 * scripts make with the real torch today: nothing in them was edited by hand or produced by the
 * code under test.
 */
class FixturesComeFromTorchTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"pt, generate_pt_fixtures.py, ''", "nn-quant, nn_models.py, generate", "nn-float, float_oracle.py, generate", "lpot, lpot_models.py, generate", "ipex, ipex_models.py, generate", "config, config_fixtures.py, generate"})
    void regeneratingTheFixturesReproducesTheCommittedFiles(String folder, String script, String command) throws Exception {
        PythonTorch.require();
        Path committed = Path.of("src/test/resources/fixtures", folder);
        List<String> args = new ArrayList<>(List.of(PythonTorch.PYTHON.toString(), PythonTorch.SCRIPTS.resolve(script).toString()));
        if (!command.isEmpty()) {
            args.add(command);
        }
        ProcessBuilder pb = new ProcessBuilder(args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("QCHECKPOINT_FIXTURES_OUT", dir.resolve("pt").toString());
        Files.createDirectories(dir.resolve("pt"));
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the fixture generator did not finish in five minutes");
        }
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("stderr.txt")));

        List<String> names = names(committed);
        assertEquals(names, names(dir.resolve("pt")));
        for (String name : names) {
            assertArrayEquals(Files.readAllBytes(committed.resolve(name)), Files.readAllBytes(dir.resolve("pt").resolve(name)),
                    name + " differs from what the generator writes with this torch");
        }
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted().toList();
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
