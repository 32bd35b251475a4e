package io.qcheckpoint.lpot;

import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Refuses checkpoint files that are symbolic links out of their directory: a checkpoint is data
 * someone else wrote, and a {@code best_configure.yaml} linked to {@code /etc/passwd} would have
 * the loader read, and its messages repeat, a file the checkpoint's author had no business naming.
 * Links that stay inside the directory are followed.
 */
public final class CheckpointLinks {
    private CheckpointLinks() {
    }

    /**
     * Checks each checkpoint file in {@code dir} that is a symbolic link.
     *
     * @param dir the checkpoint directory
     * @throws UnsafeCheckpointException naming the file, if a link resolves to a path outside {@code dir}
     * @throws IOException if a link or {@code dir} cannot be resolved
     */
    public static void requireInside(Path dir) throws IOException {
        Path real = null;
        for (String name : CheckpointFiles.ALL) {
            Path file = dir.resolve(name);
            if (!Files.isSymbolicLink(file) || !Files.exists(file)) {
                // a dangling link is a missing file, which the format check reports as such
                continue;
            }
            real = real == null ? dir.toRealPath() : real;
            if (!file.toRealPath().startsWith(real)) {
                throw new UnsafeCheckpointException(file.toString(), "a symbolic link to a file outside the checkpoint "
                        + "directory; links out of it are not followed, and nothing was read");
            }
        }
    }
}
