package io.qcheckpoint.config;

import io.qcheckpoint.pt.OutputPaths;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** Replaces a file so that a crash leaves either the old content or the new, never part of it. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to a temporary file beside {@code path}, syncs it, moves it over
     * {@code path} (atomically where the file system can), then syncs the directory where it can.
     * On failure {@code path} is left as it was and the temporary file is removed.
     *
     * @param path the file to create or replace
     * @param bytes its new content
     * @throws java.nio.file.FileSystemException if the file system refuses: it names {@code path},
     *     never the temporary file
     * @throws IOException if writing or moving fails
     */
    static void write(Path path, byte[] bytes) throws IOException {
        Path target = path.toAbsolutePath();
        try {
            writeThroughTemporary(target, bytes);
        } catch (FileSystemException e) {
            // the caller knows the path it gave, not the hidden temporary file
            throw OutputPaths.restate(path, e);
        }
        syncDirectory(target.getParent());
    }

    private static void writeThroughTemporary(Path target, byte[] bytes) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
        try {
            if (tmp.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                // temporary files are owner-only; the saved file should be as readable as Python's
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    /** Makes the rename durable; some platforms cannot open a directory, and then the rename stands unsynced. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file itself is complete either way
        }
    }
}
