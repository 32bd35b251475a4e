package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;

/**
 * Replaces a file so that a crash leaves either the old content or the new, never part of it: the
 * content goes into a temporary file beside the target, is synced, and is moved over the target.
 *
 * <p>The temporary file is named {@code .NAME.tmp-PID-RANDOM}, after the target and the writing
 * process. A process killed mid-write leaves it behind; the next write to the same target removes
 * every such file whose process is gone (never one of a process still running).
 */
public final class AtomicWrite {
    private static final String TMP = ".tmp-";

    /** Writes a file's content into an open channel. */
    @FunctionalInterface
    public interface Content {
        /**
         * Writes the content.
         *
         * @param channel the temporary file, empty
         * @throws IOException if writing fails
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicWrite() {
    }

    /**
     * Writes {@code content} to {@code path} atomically, readable by all as Python's files are, and
     * syncs the file and, where the platform can, its directory.
     *
     * @param path the file to create or replace
     * @param content writes the content
     * @throws FileSystemException if the file system refuses: it names {@code path}, never the
     *     temporary file
     * @throws IOException if writing or moving fails; {@code path} is left as it was
     */
    public static void write(Path path, Content content) throws IOException {
        Path target = path.toAbsolutePath();
        try {
            removeStale(target);
            Path tmp = target.resolveSibling(prefix(target) + ProcessHandle.current().pid() + "-" + UUID.randomUUID());
            try {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    readableByAll(tmp);
                    content.writeTo(ch);
                    ch.force(true);
                }
                move(tmp, target);
            } catch (IOException | RuntimeException | Error e) {
                Files.deleteIfExists(tmp);
                throw e;
            }
        } catch (FileSystemException e) {
            // the caller knows the path it gave, not the hidden temporary file
            throw OutputPaths.restate(path, e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            // the operating system's reason ("No space left on device") names no file
            throw new IOException(path + ": " + e.getMessage(), e);
        }
        syncDirectory(target.getParent());
    }

    /**
     * Whether a leftover named {@code .NAME.<kind>PID-...} belongs to a process that no longer runs.
     *
     * @param leftover the file name
     * @param prefix the part before the process id
     * @return true when it names a process id of no running process
     */
    public static boolean ofDeadProcess(String leftover, String prefix) {
        if (!leftover.startsWith(prefix)) {
            return false;
        }
        String rest = leftover.substring(prefix.length());
        int dash = rest.indexOf('-');
        try {
            long pid = Long.parseLong(dash < 0 ? rest : rest.substring(0, dash));
            return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * Moves {@code from} to {@code to} atomically, replacing {@code to} when it is a file.
     *
     * @throws AtomicMoveNotSupportedException if the file system cannot: a copy would not be atomic,
     *     so none is made, and the message says which file system refused
     * @throws IOException if the move fails
     */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new AtomicMoveNotSupportedException(from.toString(), to.toString(), "this file system ("
                    + to.getFileSystem().provider().getScheme() + ") cannot rename atomically, so a write could be"
                    + " seen half done; refused");
        }
    }

    /** Makes a rename durable; some platforms cannot open a directory, and then it stands unsynced. */
    public static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file itself is complete either way
        }
    }

    private static String prefix(Path target) {
        return "." + target.getFileName() + TMP;
    }

    private static void removeStale(Path target) throws IOException {
        String prefix = prefix(target);
        DirectoryStream.Filter<Path> mine = p -> p.getFileName().toString().startsWith(prefix);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target.getParent(), mine)) {
            for (Path p : s) {
                if (ofDeadProcess(p.getFileName().toString(), prefix)) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no folder yet: nothing left over, and the write itself will say what is missing
        }
    }

    /** Temporary files may be owner-only; a saved file should be as readable as {@code torch.save}'s. */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }
}
