package io.qcheckpoint.pt;

import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * Checks and failures of the paths the project writes, phrased about the path the caller gave.
 * Writers go through hidden temporary files and folders beside their target ({@code .NAME...tmp},
 * {@code .DIR.new-...}) so that a crash never leaves half a file; a failure must still name the
 * target, which the caller knows, not those.
 *
 * <p>The checks only look (they write nothing), so they can run before long work whose result is
 * to be saved, and fail before it starts rather than after. They use {@link Files#isWritable}, the
 * operating system's own access check, which also holds for root and for read-only mounts.
 */
public final class OutputPaths {
    private OutputPaths() {
    }

    /**
     * Checks that a file can be created or replaced at {@code file}: it is not a directory, and its
     * parent is an existing directory this process may create files in.
     *
     * @param file the file to write
     * @throws NoSuchFileException if the parent folder does not exist
     * @throws AccessDeniedException if the parent folder is not writable
     * @throws FileSystemException if {@code file} is a directory, or its parent is not one
     */
    public static void checkFile(Path file) throws FileSystemException {
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory; give the file to write");
        }
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.exists(parent)) {
            throw new NoSuchFileException(file.toString(), null, "no such folder to write it into: " + parent);
        }
        checkWritableFolder(file, parent);
    }

    /**
     * Checks that a directory can be created (with its missing parents) or replaced at {@code dir}:
     * it is a directory if it exists, and the nearest existing folder above it is a directory this
     * process may create files in.
     *
     * @param dir the directory to write
     * @throws AccessDeniedException if that folder is not writable
     * @throws FileSystemException if {@code dir} exists and is not a directory, or a path above it is
     *     a file
     */
    public static void checkDirectory(Path dir) throws FileSystemException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
        }
        Path above = dir.toAbsolutePath().normalize().getParent();
        while (above != null && !Files.exists(above)) {
            above = above.getParent();
        }
        if (above == null) {
            throw new NoSuchFileException(dir.toString(), null, "no existing folder above it");
        }
        checkWritableFolder(dir, above);
    }

    private static void checkWritableFolder(Path target, Path folder) throws FileSystemException {
        if (!Files.isDirectory(folder)) {
            throw new FileSystemException(target.toString(), null, "cannot be created: " + folder + " is not a folder");
        }
        if (!Files.isWritable(folder)) {
            throw new AccessDeniedException(target.toString(), null, "permission denied: cannot create files in " + folder);
        }
    }

    /**
     * Restates a failure on a temporary file or folder used to write {@code target} as a failure to
     * write {@code target}: the same kind of exception where the JDK has one (permission denied, no
     * such file, ...), naming {@code target}, with the reason of {@code e} and {@code e} as its cause.
     *
     * @param target the path the caller asked to write
     * @param e the failure, which may name a temporary path
     * @return the exception to throw instead
     */
    public static FileSystemException restate(Path target, FileSystemException e) {
        String file = target.toString();
        String reason = e.getReason();
        FileSystemException restated;
        if (e instanceof AccessDeniedException) {
            restated = new AccessDeniedException(file, null, reason == null ? "permission denied" : reason);
        } else if (e instanceof NoSuchFileException) {
            restated = new NoSuchFileException(file, null, reason == null ? "no such file or folder" : reason);
        } else if (e instanceof FileAlreadyExistsException) {
            restated = new FileAlreadyExistsException(file, null, reason == null ? "already exists" : reason);
        } else if (e instanceof NotDirectoryException) {
            restated = new NotDirectoryException(file);
        } else if (e instanceof DirectoryNotEmptyException) {
            restated = new DirectoryNotEmptyException(file);
        } else {
            restated = new FileSystemException(file, null, reason == null ? e.getClass().getSimpleName() : reason);
        }
        restated.initCause(e);
        return restated;
    }
}
