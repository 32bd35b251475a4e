package io.qcheckpoint.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Checks on the files commands are given, so that the messages name the file and the problem. */
final class InputFiles {
    private InputFiles() {
    }

    /**
     * Checks that {@code file} is an existing regular file.
     *
     * @param file the file
     * @throws NoSuchFileException if it does not exist
     * @throws FileSystemException if it is a directory or another kind of non-regular file
     */
    static void requireRegularFile(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.isDirectory(file)) {
            throw new FileSystemException(file.toString(), null, "is a directory, not a file");
        }
        if (!Files.isRegularFile(file)) {
            throw new FileSystemException(file.toString(), null, "is not a regular file");
        }
    }
}
