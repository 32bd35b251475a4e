package io.qcheckpoint.pt;

/**
 * A file is truncated, corrupt, or says something impossible (a size past its end, a record that is
 * missing, an opcode that is not pickle). The message names the file and the reason.
 */
public class CheckpointFormatException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the file (or file and record) at fault
     * @param reason what is wrong with it
     */
    public CheckpointFormatException(String file, String reason) {
        super(file, file + ": " + reason, null);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param file the file (or file and record) at fault
     * @param reason what is wrong with it
     * @param cause the underlying failure
     */
    public CheckpointFormatException(String file, String reason, Throwable cause) {
        super(file, file + ": " + reason, cause);
    }
}
