package io.qcheckpoint.tuning;

import io.qcheckpoint.config.TuneConfig;
import java.time.Duration;

/**
 * One evaluated candidate: which config, what changed against the trial it grew from, and how it scored.
 *
 * @param number the trial's number, from 1
 * @param change what this trial tries, e.g. {@code all ops int8 (minmax)} or {@code fc1 to fp32}
 * @param tuneConfig the config, as it would be saved
 * @param score the evaluation's score
 * @param loss the loss against the fp32 baseline, as the criterion measures it
 * @param criterionMet whether the criterion holds
 * @param weightBytes the bytes of the model's state dict tensors (what {@code best_model_weights.pt} holds)
 * @param evaluationTime how long the evaluation took
 */
public record Trial(int number, String change, TuneConfig tuneConfig, double score, double loss, boolean criterionMet,
        long weightBytes, Duration evaluationTime) {
}
