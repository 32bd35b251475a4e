package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** {@code copy}: what it writes reads back the same, and it never overwrites by accident. */
class CopyCommandTest {
    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> copyReadsBackEqual() {
        return Cli.SAVED.stream().map(in -> DynamicTest.dynamicTest(in.toString(), () -> {
            Path out = dir.resolve(in.getFileName());
            Cli.Result r = Cli.run("copy", in, out);
            assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
            assertTrue(r.out().startsWith("wrote " + out), r::toString);
            TorchFile original = TorchFiles.read(in);
            TorchFile copy = TorchFiles.read(out);
            assertEquals("torch-zip", copy.format().label());
            List<NamedTensor> a = original.tensors();
            List<NamedTensor> b = copy.tensors();
            assertEquals(a.size(), b.size());
            for (int i = 0; i < a.size(); i++) {
                NamedTensor x = a.get(i);
                NamedTensor y = b.get(i);
                assertEquals(x.key(), y.key());
                assertEquals(x.tensor().dtype(), y.tensor().dtype(), x.key());
                assertArrayEquals(x.tensor().shape(), y.tensor().shape(), x.key());
                assertEquals(x.tensor().isParameter(), y.tensor().isParameter(), x.key());
                assertEquals(x.tensor().requiresGrad(), y.tensor().requiresGrad(), x.key());
                assertEquals(x.tensor().data(), y.tensor().data(), x.key());
            }
            // Bytes, quantization and hashes, all at once.
            assertEquals(List.of(), JsonDiff.diff(InspectReport.toJson(original).get("tensors"),
                    InspectReport.toJson(copy).get("tensors")));
            if (original.root() instanceof java.util.Map<?, ?>) {
                StateDict sa = TorchFiles.readStateDict(in);
                StateDict sb = TorchFiles.readStateDict(out);
                assertEquals(List.copyOf(sa.keys()), List.copyOf(sb.keys()));
                assertEquals(sa.metadata(), sb.metadata());
            }
        }));
    }

    @Test
    void refusesToOverwriteWithoutForce() throws IOException {
        Path out = Files.writeString(dir.resolve("existing.pt"), "keep me");
        Cli.Result r = Cli.run("copy", Cli.LPOT_STATIC, out);
        MainTest.assertOneErrorLine(r, "--force");
        assertEquals("keep me", Files.readString(out));
    }

    @Test
    void forceOverwrites() throws IOException {
        Path out = Files.writeString(dir.resolve("existing.pt"), "replace me");
        Cli.Result r = Cli.run("copy", "--force", Cli.LPOT_STATIC, out);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        assertEquals(TorchFiles.readStateDict(Cli.LPOT_STATIC).keys(), TorchFiles.readStateDict(out).keys());
        assertEquals(Main.EXIT_OK, Cli.run("copy", "-f", Cli.LEGACY, out).exitCode());
        assertEquals("torch-zip", TorchFiles.read(out).format().label());
    }

    @Test
    void copiesAFileOverItself() throws IOException {
        Path f = dir.resolve("self.pt");
        Files.copy(Cli.LPOT_STATIC, f);
        assertEquals(Main.EXIT_OK, Cli.run("copy", "--force", f, f).exitCode());
        assertEquals(List.of(), JsonDiff.diff(InspectReport.toJson(TorchFiles.read(Cli.LPOT_STATIC)),
                InspectReport.toJson(TorchFiles.read(f))));
    }

    @Test
    void badDestinationsAreBadInput() throws IOException {
        MainTest.assertOneErrorLine(Cli.run("copy", Cli.LPOT_STATIC, dir), "is a directory");
        MainTest.assertOneErrorLine(Cli.run("copy", Cli.LPOT_STATIC, dir.resolve("no/such/dir/x.pt")), "no such folder");
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Path underAFile = file.resolve("x.pt");
        Cli.Result r = Cli.run("copy", Cli.LPOT_STATIC, underAFile);
        MainTest.assertOneErrorLine(r, "qcheckpoint: " + underAFile + ": ");
        assertTrue(!r.err().contains(".tmp"), r::toString);
        Files.delete(file);
        MainTest.assertOneErrorLine(Cli.run("copy", dir.resolve("missing.pt"), dir.resolve("x.pt")), "no such file");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList(), "nothing written");
        }
    }
}
