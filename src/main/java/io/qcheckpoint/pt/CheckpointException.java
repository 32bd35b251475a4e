package io.qcheckpoint.pt;

import java.io.IOException;

/**
 * Root of QCheckpoint's exception family: a checkpoint, or a file in one, could not be used.
 *
 * <p>It lives in the lowest layer so that every layer above can throw and extend it, as Jackson
 * does with {@code JsonProcessingException}. Messages name the file and say what was expected.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The file at fault, as the message names it; null when the problem is not one file's. */
    private final String file;

    /**
     * Creates an exception with a message that names the file and the problem.
     *
     * @param message what went wrong, where
     */
    public CheckpointException(String message) {
        this(null, message, null);
    }

    /**
     * Creates an exception with a message and the failure that caused it.
     *
     * @param message what went wrong, where
     * @param cause the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        this(null, message, cause);
    }

    /**
     * Creates an exception about one file.
     *
     * @param file the file at fault (a path, possibly followed by the archive record or config entry
     *     in brackets), or null
     * @param message what went wrong, naming the file
     * @param cause the underlying failure, or null
     */
    protected CheckpointException(String file, String message, Throwable cause) {
        super(message, cause);
        this.file = file;
    }

    /**
     * Returns the file at fault as the message names it: the path the caller gave (on whatever file
     * system it lives), possibly followed by the record or entry in brackets, e.g.
     * {@code ck/best_model_weights.pt [archive/data/3]}; null when the problem is not one file's.
     *
     * @return the file, or null
     */
    public String file() {
        return file;
    }
}
