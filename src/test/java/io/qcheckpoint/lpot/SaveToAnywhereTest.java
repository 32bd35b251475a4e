package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.SaveOptions;
import io.qcheckpoint.nn.Module;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving to file systems other than the default one: an in-memory file system renames folders with
 * their files, so the atomic save works there and writes the same bytes; the JDK's zip file system
 * renames a folder without its files, so an atomic save is refused, naming the folder and the way
 * out, with the old checkpoint untouched, and a non-atomic save (asked for) works.
 */
class SaveToAnywhereTest {
    private static final String CASE = "lpot15_static";
    private static final List<String> FILES = List.of(EagerQuantizedModel.CONFIG_FILE, EagerQuantizedModel.WEIGHTS_FILE);

    @TempDir
    Path dir;

    @Test
    void anInMemoryFileSystemGetsTheSameBytesAtomically() throws Exception {
        Path local = dir.resolve("local");
        try (FileSystem memory = Jimfs.newFileSystem(Configuration.unix());
                Module fp32 = CheckpointsMatchLpotTest.fp32Model(CASE);
                QuantizedModel<?> q = Checkpoints.load(CheckpointsMatchLpotTest.FIXTURES.resolve(CASE), fp32)) {
            q.save(local);
            Path inMemory = memory.getPath("/models/ck");
            q.save(inMemory);
            q.save(inMemory);   // and again, replacing the first
            for (String f : FILES) {
                assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(inMemory.resolve(f)), f);
            }
            assertEquals(List.of("ck"), names(memory.getPath("/models")), "no staging folder is left");
            assertSameOutputs(local, inMemory);
        }
    }

    @Test
    void aZipFileSystemRefusesAnAtomicSaveAndTakesANonAtomicOne() throws Exception {
        Path jar = dir.resolve("models.jar");
        Path source = CheckpointsMatchLpotTest.FIXTURES.resolve(CASE);
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"));
                Module fp32 = CheckpointsMatchLpotTest.fp32Model(CASE);
                QuantizedModel<?> q = Checkpoints.load(source, fp32)) {
            Path ck = zip.getPath("/ck");
            Files.createDirectories(ck);
            Files.writeString(ck.resolve(EagerQuantizedModel.CONFIG_FILE), "old config");
            AtomicMoveNotSupportedException e = assertThrows(AtomicMoveNotSupportedException.class, () -> q.save(ck));
            assertEquals(ck.toString(), e.getFile());
            assertTrue(e.getMessage().contains("withAtomic(false)"), e.getMessage());
            assertEquals("old config", Files.readString(ck.resolve(EagerQuantizedModel.CONFIG_FILE)));
            assertEquals(List.of("ck"), names(zip.getPath("/")), "no staging folder is left");

            q.save(ck, SaveOptions.defaults().withAtomic(false));
            Path local = dir.resolve("local");
            q.save(local);
            for (String f : FILES) {
                assertArrayEquals(Files.readAllBytes(local.resolve(f)), Files.readAllBytes(ck.resolve(f)), f);
            }
            assertSameOutputs(local, ck);
        }
    }

    private static void assertSameOutputs(Path expected, Path actual) throws Exception {
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(CASE); NDManager m = NDManager.newBaseManager();
                QuantizedModel<?> a = Checkpoints.load(expected, fp32); QuantizedModel<?> b = Checkpoints.load(actual, fp32)) {
            assertArrayEquals(a.forward(CheckpointsMatchLpotTest.input(m, CASE)).toFloatArray(),
                    b.forward(CheckpointsMatchLpotTest.input(m, CASE)).toFloatArray());
        }
    }

    private static List<String> names(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString().replace("/", "")).sorted().toList();
        }
    }
}
