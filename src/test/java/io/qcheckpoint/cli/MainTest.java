package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes, help, and the one-line error messages that bad input gets. */
class MainTest {
    @TempDir
    Path dir;

    @Test
    void inspectOfAGoodFileExitsZero() {
        Cli.Result r = Cli.run("inspect", Cli.LPOT_STATIC);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        assertEquals("", r.err());
    }

    @Test
    void noCommandIsAUsageError() {
        Cli.Result r = Cli.run();
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().startsWith("qcheckpoint: missing command"), r::toString);
    }

    @Test
    void unknownCommandIsAUsageError() {
        Cli.Result r = Cli.run("inspekt", "x.pt");
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertTrue(r.err().contains("inspect"), "suggests the command it resembles: " + r);
    }

    @Test
    void missingParameterAndUnknownOptionAreUsageErrors() {
        assertEquals(Main.EXIT_BAD_INPUT, Cli.run("inspect").exitCode());
        assertEquals(Main.EXIT_BAD_INPUT, Cli.run("inspect", "--bogus", Cli.LPOT_STATIC).exitCode());
        assertEquals(Main.EXIT_BAD_INPUT, Cli.run("copy", Cli.LPOT_STATIC).exitCode());
        assertEquals(Main.EXIT_BAD_INPUT, Cli.run("inspect", Cli.LPOT_STATIC, Cli.LPOT_STATIC).exitCode());
    }

    @Test
    void missingFileIsBadInputWithOneLine() {
        Path missing = dir.resolve("missing.pt");
        Cli.Result r = Cli.run("inspect", missing);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertEquals("qcheckpoint: " + missing + ": no such file" + System.lineSeparator(), r.err());
        assertEquals("", r.out());
    }

    @Test
    void aDirectoryWithoutACheckpointIsBadInput() {
        Cli.Result r = Cli.run("inspect", dir);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertOneErrorLine(r, "no checkpoint found; looked for best_configure.yaml");
        assertOneErrorLine(Cli.run("copy", dir, dir.resolve("out.pt")), "is a directory");
    }

    @Test
    void emptyAndNonTorchFilesAreBadInput() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.pt"));
        assertOneErrorLine(Cli.run("inspect", empty), "file is empty");
        Path text = Files.writeString(dir.resolve("text.pt"), "not a checkpoint\n");
        assertOneErrorLine(Cli.run("inspect", text), "not a torch.save file");
    }

    @Test
    void truncatedFileIsBadInput() throws IOException {
        byte[] whole = Files.readAllBytes(Cli.LPOT_STATIC);
        Path cut = Files.write(dir.resolve("cut.pt"), Arrays.copyOf(whole, whole.length / 2));
        assertOneErrorLine(Cli.run("inspect", cut), "cut.pt");
        assertOneErrorLine(Cli.run("copy", cut, dir.resolve("out.pt")), "cut.pt");
        assertFalse(Files.exists(dir.resolve("out.pt")));
    }

    @Test
    void unsafeFileIsRefusedWithoutRunningIt() throws IOException {
        // GLOBAL os.system; ('touch <marker>',) REDUCE: the canonical malicious pickle.
        Path marker = dir.resolve("pwned");
        String pickle = "\u0080\u0002cos\nsystem\nX" + le32(("touch " + marker).length()) + "touch " + marker
                + "\u0085R.";
        Path evil = dir.resolve("evil.pt");
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new ZipEntry("evil/data.pkl"));
            zip.write(pickle.getBytes(StandardCharsets.ISO_8859_1));
            zip.putNextEntry(new ZipEntry("evil/version"));
            zip.write("3\n".getBytes(StandardCharsets.US_ASCII));
        }
        Cli.Result r = Cli.run("inspect", "--json", evil);
        assertOneErrorLine(r, "os.system");
        assertFalse(Files.exists(marker));
        assertOneErrorLine(Cli.run("copy", evil, dir.resolve("copy.pt")), "os.system");
    }

    @Test
    void torchScriptArchiveIsImportedNotReadAsTensors() {
        Cli.Result r = Cli.run("inspect", Cli.TORCHSCRIPT);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        assertTrue(r.out().matches("(?s).*bn\\s+BatchNorm2d\\s+weight \\(2\\), bias \\(2\\).*"), r::toString);
        assertEquals(2, Cli.run("inspect", "--json", Cli.TORCHSCRIPT).exitCode());
    }

    @Test
    void versionPrintsTheName() {
        Cli.Result r = Cli.run("--version");
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        assertTrue(r.out().startsWith("qcheckpoint "), r::toString);
    }

    @TestFactory
    Stream<DynamicTest> helpWorksForEveryCommand() {
        List<String> names = Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet().stream().filter(n -> !n.equals("help")).toList();
        assertTrue(names.containsAll(List.of("inspect", "copy")), names::toString);
        Stream<DynamicTest> top = Stream.of(DynamicTest.dynamicTest("qcheckpoint --help", () -> {
            Cli.Result r = Cli.run("--help");
            assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
            for (String n : names) {
                assertTrue(r.out().contains(n), "lists " + n + ": " + r);
            }
        }));
        Stream<DynamicTest> each = names.stream().flatMap(n -> Stream.of(
                DynamicTest.dynamicTest("qcheckpoint " + n + " --help", () -> {
                    Cli.Result r = Cli.run(n, "--help");
                    assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
                    assertTrue(r.out().startsWith("Usage: qcheckpoint " + n), r::toString);
                    assertEquals("", r.err());
                }),
                DynamicTest.dynamicTest("qcheckpoint help " + n, () -> {
                    Cli.Result r = Cli.run("help", n);
                    assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
                    assertTrue(r.out().startsWith("Usage: qcheckpoint " + n), r::toString);
                })));
        return Stream.concat(top, each);
    }

    /** Bad input: exit 2, nothing on stdout, one line on stderr that names the problem. */
    static void assertOneErrorLine(Cli.Result r, String mentions) {
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertEquals("", r.out(), r::toString);
        String[] lines = r.err().split("\\R");
        assertEquals(1, lines.length, () -> "one line, no stack trace: " + r);
        assertTrue(lines[0].startsWith("qcheckpoint: "), r::toString);
        assertTrue(lines[0].contains(mentions), () -> "mentions '" + mentions + "': " + r);
    }

    private static String le32(int v) {
        return new String(new char[] {(char) (v & 0xff), (char) (v >>> 8 & 0xff), (char) (v >>> 16 & 0xff),
            (char) (v >>> 24)});
    }
}
