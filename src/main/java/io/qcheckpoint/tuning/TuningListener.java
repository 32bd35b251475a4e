package io.qcheckpoint.tuning;

/**
 * Follows a tuning run; the library itself prints nothing. Every method has an empty default, so a
 * listener overrides what it shows. Called on the tuning thread.
 */
public interface TuningListener {
    /** A listener that ignores everything. */
    TuningListener NONE = new TuningListener() {
    };

    /**
     * The fp32 model was evaluated.
     *
     * @param score its score
     * @param weightBytes the bytes of its state dict tensors
     */
    default void baseline(double score, long weightBytes) {
    }

    /**
     * A trial starts.
     *
     * @param number the trial's number, from 1
     * @param change what it tries
     * @param calibrationBatches the batches its calibration will run (0 for dynamic quantization)
     */
    default void trialStarted(int number, String change, long calibrationBatches) {
    }

    /**
     * One calibration batch went through the model of the current trial.
     *
     * @param batches the batches done so far in this trial
     */
    default void calibrationBatch(int batches) {
    }

    /**
     * A trial was evaluated.
     *
     * @param trial its result
     */
    default void trialFinished(Trial trial) {
    }

    /**
     * Tuning is over.
     *
     * @param reason why it stopped
     * @param best the trial whose model is the result
     */
    default void finished(StopReason reason, Trial best) {
    }
}
