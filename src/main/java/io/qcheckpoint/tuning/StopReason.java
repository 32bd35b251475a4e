package io.qcheckpoint.tuning;

/** Why tuning stopped. */
public enum StopReason {
    /** A trial met the accuracy criterion; it is the result. */
    CRITERION_MET,
    /** The trial limit was reached before any trial met the criterion. */
    MAX_TRIALS,
    /** The time limit passed before any trial met the criterion. */
    TIMEOUT,
    /** Every config of the strategy was tried; none met the criterion. */
    EXHAUSTED
}
