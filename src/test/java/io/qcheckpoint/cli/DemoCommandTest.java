package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo --out} that cannot be written fails before the tuning run, naming the path: nothing
 * on stdout means no trial ran. (The whole demo is {@code DigitsTuningTest}'s.)
 */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void anOutUnderAFileFailsBeforeTuning() throws IOException {
        // a file where a folder should be: unwritable for root too, unlike permission bits
        Path out = Files.writeString(dir.resolve("plain-file"), "x").resolve("checkpoint");
        MainTest.assertOneErrorLine(Cli.run("demo", "--out", out, "--no-progress"), "qcheckpoint: " + out + ": ");
    }

    @Test
    void anOutHoldingOtherFilesFailsBeforeTuning() throws IOException {
        Path out = Files.createDirectory(dir.resolve("work"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        MainTest.assertOneErrorLine(Cli.run("demo", "--out", out, "--no-progress"), "notes.txt");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }
}
