package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write that fails names the path the caller gave, not the hidden temporary file beside it, and
 * the checks that run before long work refuse paths that cannot be written.
 *
 * <p>The tests run as root here, which ignores permission bits; a regular file where a folder
 * should be fails for root too, so that is what most of them use.
 */
class OutputPathsTest {
    @TempDir
    Path dir;

    @Test
    void aFailedWriteNamesTheTargetNotTheTemporaryFile() throws IOException {
        Path notAFolder = Files.writeString(dir.resolve("plain-file"), "x");
        Path target = notAFolder.resolve("weights.pt");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> TorchFiles.write(target, new StateDict().put("w", Tensor.fromFloats(new float[] {1}, 1))));
        assertEquals(target.toString(), e.getFile(), e::toString);
        assertFalse(e.getMessage().contains(".tmp"), e::toString);
        assertEquals(List.of("plain-file"), names(dir), "nothing left behind");
    }

    @Test
    void aFileInAReadOnlyFolderIsNamed() throws IOException {
        Path readOnly = Files.createDirectory(dir.resolve("ro"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Path target = readOnly.resolve("x.pt");
            if (Files.isWritable(readOnly)) {
                // root: the folder is writable after all, and the write must simply succeed
                TorchFiles.write(target, Tensor.fromFloats(new float[] {1}, 1));
                assertTrue(Files.isRegularFile(target));
                return;
            }
            AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> OutputPaths.checkFile(target));
            assertEquals(target.toString(), e.getFile());
            AccessDeniedException w = assertThrows(AccessDeniedException.class,
                    () -> TorchFiles.write(target, Tensor.fromFloats(new float[] {1}, 1)));
            assertEquals(target.toString(), w.getFile());
            assertFalse(w.getMessage().contains(".tmp"), w::toString);
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void checksRefuseWhatCannotBeWritten() throws IOException {
        Path file = Files.writeString(dir.resolve("file"), "x");
        FileSystemException underAFile = assertThrows(FileSystemException.class,
                () -> OutputPaths.checkDirectory(file.resolve("a/b/ckpt")));
        assertEquals(file.resolve("a/b/ckpt").toString(), underAFile.getFile());
        assertTrue(underAFile.getMessage().contains(file + " is not a folder"), underAFile::toString);
        assertThrows(FileSystemException.class, () -> OutputPaths.checkDirectory(file));
        assertThrows(FileSystemException.class, () -> OutputPaths.checkFile(dir));
        assertThrows(FileSystemException.class, () -> OutputPaths.checkFile(file.resolve("x.pt")));
        NoSuchFileException missing = assertThrows(NoSuchFileException.class,
                () -> OutputPaths.checkFile(dir.resolve("no/such/x.pt")));
        assertEquals(dir.resolve("no/such/x.pt").toString(), missing.getFile());
        // what can be written passes: a new folder under missing ones, a new file, an existing file
        OutputPaths.checkDirectory(dir.resolve("new/deeper/ckpt"));
        OutputPaths.checkFile(dir.resolve("new.pt"));
        OutputPaths.checkFile(file);
        assertEquals(List.of("file"), names(dir), "the checks write nothing");
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
