package io.qcheckpoint.tuning;

/** Tuning could not go on: the evaluation or the calibration data failed, or a trial could not be built. */
public class TuningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed
     */
    public TuningException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what failed
     * @param cause the cause
     */
    public TuningException(String message, Throwable cause) {
        super(message, cause);
    }
}
