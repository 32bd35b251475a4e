package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.StateDict;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saving replaces a checkpoint only once the new one is complete: a failure part-way leaves the
 * directory as it was, with no temporary folders left beside it, and a folder holding other files
 * is not replaced.
 */
class SaveIsAtomicTest {
    private static final Path SOURCE = CheckpointsMatchLpotTest.FIXTURES.resolve("static_wrap");

    @TempDir
    Path dir;

    @Test
    void aFailedSaveLeavesTheOldCheckpoint() throws Exception {
        Path target = dir.resolve("ckpt");
        TuneConfig cfg;
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model("static_wrap");
                QuantizedModel<?> q = Checkpoints.load(SOURCE, fp32)) {
            q.save(target);
            cfg = (TuneConfig) q.tuneConfig();
        }
        byte[] yaml = Files.readAllBytes(target.resolve(EagerQuantizedModel.CONFIG_FILE));
        byte[] weights = Files.readAllBytes(target.resolve(EagerQuantizedModel.WEIGHTS_FILE));
        assertArrayEquals(Files.readAllBytes(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE)), yaml);

        try (EagerQuantizedModel broken = new EagerQuantizedModel(new FailingModule(), cfg)) {
            IOException e = assertThrows(IOException.class, () -> broken.save(target));
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        }
        assertArrayEquals(yaml, Files.readAllBytes(target.resolve(EagerQuantizedModel.CONFIG_FILE)));
        assertArrayEquals(weights, Files.readAllBytes(target.resolve(EagerQuantizedModel.WEIGHTS_FILE)));
        assertEquals(List.of("ckpt"), names(dir), "no temporary folders are left");
    }

    @Test
    void aFolderWithOtherFilesIsNotReplaced() throws Exception {
        Path target = Files.createDirectories(dir.resolve("work"));
        Files.writeString(target.resolve("notes.txt"), "mine");
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model("static_wrap");
                QuantizedModel<?> q = Checkpoints.load(SOURCE, fp32)) {
            IOException e = assertThrows(IOException.class, () -> q.save(target));
            assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        }
        assertEquals(List.of("notes.txt"), names(target));
        assertEquals(List.of("work"), names(dir));
    }

    @Test
    void saveCreatesMissingParentsAndNamesTheTargetWhenItCannot() throws Exception {
        Path nested = dir.resolve("runs/2024/ckpt");
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        Path underAFile = file.resolve("ckpt");
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model("static_wrap");
                QuantizedModel<?> q = Checkpoints.load(SOURCE, fp32)) {
            q.save(nested);
            assertArrayEquals(Files.readAllBytes(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE)),
                    Files.readAllBytes(nested.resolve(EagerQuantizedModel.CONFIG_FILE)));
            FileSystemException e = assertThrows(FileSystemException.class, () -> q.save(underAFile));
            assertEquals(underAFile.toString(), e.getFile(), e::toString);
            assertTrue(!e.getMessage().contains(".new-"), e::toString);
            // the same answer before any work, for callers that tune first
            assertEquals(e.getMessage(), assertThrows(FileSystemException.class,
                    () -> QuantizedModel.checkSavable(underAFile)).getMessage());
        }
        assertEquals(List.of("not-a-folder", "runs"), names(dir));
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A module whose state dict cannot be written, as when the disk fills up mid-save. */
    private static final class FailingModule extends Module {
        @Override
        public NDArray forward(NDArray input) {
            return input;
        }

        @Override
        protected void saveToStateDict(StateDict dest, String prefix) {
            throw new java.io.UncheckedIOException(new IOException("disk full"));
        }
    }
}
