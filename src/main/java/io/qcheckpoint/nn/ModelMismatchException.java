package io.qcheckpoint.nn;

import io.qcheckpoint.pt.CheckpointException;

/**
 * A checkpoint does not fit the model it is loaded onto: the tune config names an op the model
 * lacks, or names it with another type, or the weights belong to another model. The message names
 * the file, the op paths and the keys.
 */
public class ModelMismatchException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the config or weights file that does not fit
     * @param reason what does not fit, naming the op paths and keys
     */
    public ModelMismatchException(String file, String reason) {
        super(file, file + ": " + reason, null);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param file the file that does not fit
     * @param reason what does not fit
     * @param cause the underlying failure (for example a state-dict mismatch)
     */
    public ModelMismatchException(String file, String reason, Throwable cause) {
        super(file, file + ": " + reason, cause);
    }
}
