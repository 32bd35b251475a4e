package io.qcheckpoint;

import io.qcheckpoint.pt.CheckpointException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint directory holds none of the files of a known checkpoint format, or only some of a
 * format's files (or a format asked for explicitly lacks one of its files). The message names the
 * directory and the files looked for, or the files missing and those found.
 */
public class CheckpointNotFoundException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> lookedFor;

    /**
     * Creates the exception for a directory that holds no checkpoint at all.
     *
     * @param dir the checkpoint directory
     * @param lookedFor the file names looked for, in order
     */
    public CheckpointNotFoundException(Path dir, List<String> lookedFor) {
        super(dir.toString(), dir + ": no checkpoint found; looked for " + String.join(", ", lookedFor), null);
        this.lookedFor = List.copyOf(lookedFor);
    }

    /**
     * Creates the exception with a message of its own.
     *
     * @param dir the directory looked in
     * @param message what is missing, naming {@code dir}
     * @param lookedFor the files or file sets looked for
     */
    public CheckpointNotFoundException(Path dir, String message, List<String> lookedFor) {
        super(dir.toString(), message, null);
        this.lookedFor = List.copyOf(lookedFor);
    }

    /** Returns the file names looked for. */
    public List<String> lookedFor() {
        return lookedFor;
    }
}
