package io.qcheckpoint;

import io.qcheckpoint.pt.CheckpointException;
import java.nio.file.Path;
import java.util.List;

/**
 * A checkpoint directory holds none of the files of a known checkpoint format (or a format asked
 * for explicitly lacks one of its files). The message names the directory and the file names looked for.
 */
public class CheckpointNotFoundException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> lookedFor;

    /**
     * Creates the exception.
     *
     * @param dir the checkpoint directory
     * @param lookedFor the file names looked for, in order
     */
    public CheckpointNotFoundException(Path dir, List<String> lookedFor) {
        super(dir + ": no checkpoint found; looked for " + String.join(", ", lookedFor));
        this.lookedFor = List.copyOf(lookedFor);
    }

    /** Returns the file names looked for. */
    public List<String> lookedFor() {
        return lookedFor;
    }
}
