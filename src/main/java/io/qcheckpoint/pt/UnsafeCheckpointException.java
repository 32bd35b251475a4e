package io.qcheckpoint.pt;

/**
 * A file asks for something outside the allowlist of safe pickle globals (for example
 * {@code os.system}), or for an operation that could run code. Nothing in the file was executed.
 */
public class UnsafeCheckpointException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the file (or file and record) at fault
     * @param reason what was refused, naming the global when there is one
     */
    public UnsafeCheckpointException(String file, String reason) {
        super(file, file + ": " + reason, null);
    }
}
