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

    /**
     * Creates an exception with a message that names the file and the problem.
     *
     * @param message what went wrong, where
     */
    public CheckpointException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure that caused it.
     *
     * @param message what went wrong, where
     * @param cause the underlying failure
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
