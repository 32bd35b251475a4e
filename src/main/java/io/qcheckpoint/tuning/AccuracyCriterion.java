package io.qcheckpoint.tuning;

/**
 * How much accuracy a quantized model may lose against the fp32 baseline: LPOT's
 * {@code accuracy_criterion} ({@code relative: 0.01} by default, or {@code absolute}), for
 * metrics where higher is better.
 *
 * @param relative whether {@code tolerance} is a fraction of the baseline (else in the metric's units)
 * @param tolerance the largest loss accepted, at least 0
 */
public record AccuracyCriterion(boolean relative, double tolerance) {
    /** LPOT's default: at most 1% relative loss. */
    public static final AccuracyCriterion DEFAULT = relative(0.01);

    /**
     * Checks the tolerance.
     *
     * @throws IllegalArgumentException if it is negative or not a number
     */
    public AccuracyCriterion {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("the tolerated loss must be a finite number >= 0, got " + tolerance);
        }
    }

    /**
     * Accepts a loss of at most {@code fraction} of the baseline, as LPOT's {@code relative}.
     *
     * @param fraction e.g. 0.01 for 1%
     * @return the criterion
     * @throws IllegalArgumentException if {@code fraction} is negative
     */
    public static AccuracyCriterion relative(double fraction) {
        return new AccuracyCriterion(true, fraction);
    }

    /**
     * Accepts a loss of at most {@code loss} in the metric's units, as LPOT's {@code absolute}.
     *
     * @param loss e.g. 0.005 for half a point of top-1 accuracy measured in [0, 1]
     * @return the criterion
     * @throws IllegalArgumentException if {@code loss} is negative
     */
    public static AccuracyCriterion absolute(double loss) {
        return new AccuracyCriterion(false, loss);
    }

    /**
     * Returns the loss of {@code score} against {@code baseline}: relative or absolute, as this
     * criterion measures it (negative when the score is better).
     *
     * @param baseline the fp32 score
     * @param score the quantized model's score
     * @return the loss
     */
    public double loss(double baseline, double score) {
        double drop = baseline - score;
        return relative ? drop / Math.abs(baseline) : drop;
    }

    /**
     * Returns whether {@code score} is within the tolerance of {@code baseline}.
     *
     * @param baseline the fp32 score
     * @param score the quantized model's score
     * @return whether the criterion holds
     */
    public boolean isMet(double baseline, double score) {
        return loss(baseline, score) <= tolerance;
    }

    @Override
    public String toString() {
        return relative ? "relative loss <= " + tolerance * 100 + "%" : "absolute loss <= " + tolerance;
    }
}
