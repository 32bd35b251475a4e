package io.qcheckpoint.tuning;

import io.qcheckpoint.EagerQuantizedModel;
import java.util.List;

/**
 * The outcome of {@link Tuner#tune}: the best model (the first trial that met the criterion, or
 * else the best scoring one), every trial in order, the baseline and why tuning stopped. Owns the
 * model: closing the result closes it.
 */
public final class TuningResult implements AutoCloseable {
    private final EagerQuantizedModel model;
    private final Trial best;
    private final List<Trial> trials;
    private final double baseline;
    private final long baselineWeightBytes;
    private final StopReason stopReason;

    TuningResult(EagerQuantizedModel model, Trial best, List<Trial> trials, double baseline, long baselineWeightBytes,
            StopReason stopReason) {
        this.model = model;
        this.best = best;
        this.trials = List.copyOf(trials);
        this.baseline = baseline;
        this.baselineWeightBytes = baselineWeightBytes;
        this.stopReason = stopReason;
    }

    /** Returns the best model, with the tune config to save it with; owned by this result. */
    public EagerQuantizedModel model() {
        return model;
    }

    /** Returns the trial whose model {@link #model()} is. */
    public Trial best() {
        return best;
    }

    /** Returns every trial, in the order they ran. */
    public List<Trial> trials() {
        return trials;
    }

    /** Returns the fp32 model's score. */
    public double baseline() {
        return baseline;
    }

    /** Returns the bytes of the fp32 model's state dict tensors. */
    public long baselineWeightBytes() {
        return baselineWeightBytes;
    }

    /** Returns why tuning stopped. */
    public StopReason stopReason() {
        return stopReason;
    }

    /** Returns whether the result meets the accuracy criterion. */
    public boolean criterionMet() {
        return best.criterionMet();
    }

    /** Frees the model. */
    @Override
    public void close() {
        model.close();
    }
}
