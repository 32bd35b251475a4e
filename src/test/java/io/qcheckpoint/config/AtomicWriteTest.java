package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writes replace the file whole, leave no temporary file behind, and are as readable as Python's. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    @Test
    void writesReplaceWholeAndLeaveNothingElse() throws Exception {
        Path yaml = dir.resolve("best_configure.yaml");
        Files.writeString(yaml, "old content that is longer than the new one ".repeat(20));
        TuneConfig cfg = TuneConfig.lpot(Approach.POST_TRAINING_DYNAMIC_QUANT, 1,
                Map.of(new OpKey("fc", "Linear"), OpConfig.fp32(true)));
        TuneConfigs.writeYaml(cfg, yaml);
        assertEquals(TuneConfigs.toYaml(cfg), Files.readString(yaml));
        Path json = dir.resolve("best_configure.json");
        IpexConfigs.writeJson(new IpexConfig(List.of()), json);
        assertEquals("[]", Files.readString(json));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("best_configure.json", "best_configure.yaml"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(yaml)));
        }
    }

    @Test
    void aFailedWriteLeavesTheOldFile() throws Exception {
        Path target = dir.resolve("taken");
        Path old = target.resolve("not-empty").resolve("old.txt");
        Files.createDirectories(old.getParent());
        Files.writeString(old, "the old content");
        assertThrows(IOException.class, () -> AtomicFiles.write(target, new byte[] {1}));
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of("taken"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertEquals("the old content", Files.readString(old));
    }
}
