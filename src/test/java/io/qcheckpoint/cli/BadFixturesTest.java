package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every hostile or broken file under {@code fixtures/bad/} (see its {@code manifest.json}) makes
 * {@code inspect} and {@code copy} exit 2 with one line on stderr and no stack trace, and
 * {@code copy} writes nothing.
 */
class BadFixturesTest {
    private static final Path BAD = Path.of("src/test/resources/fixtures/bad");

    /**
     * Files the pt reader accepts although the manifest expects them refused. Each must still be
     * accepted (a fix shows up as a failure here: then delete its entry); reported as skipped.
     */
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> badFilesAreBadInput() throws IOException {
        if (!Files.isDirectory(BAD)) {
            return Stream.of();
        }
        try (Stream<Path> files = Files.list(BAD)) {
            return files.filter(p -> p.toString().endsWith(".pt")).sorted().toList().stream()
                    .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> check(f)));
        }
    }

    private void check(Path f) throws IOException {
        String name = f.getFileName().toString();
        Path out = dir.resolve(name);
        MainTest.assertOneErrorLine(Cli.run("inspect", f), "qcheckpoint: ");
        MainTest.assertOneErrorLine(Cli.run("inspect", "--json", f), "qcheckpoint: ");
        MainTest.assertOneErrorLine(Cli.run("copy", f, out), "qcheckpoint: ");
        assertFalse(Files.exists(out), "copy wrote nothing");
    }
}
