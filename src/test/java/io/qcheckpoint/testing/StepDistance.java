package io.qcheckpoint.testing;

/**
 * How far one int8 output lies from another, in output quantization steps: the measure by which two
 * engines' outputs of one checkpoint are compared.
 *
 * @param equal the fraction of elements that are equal
 * @param maxSteps the largest difference, in steps
 * @param meanSteps the mean difference, in steps
 */
public record StepDistance(double equal, double maxSteps, double meanSteps) {
    /** A ten-thousandth of a step: float rounding of the dequantized values, not a step. */
    private static final double SAME = 1e-4;

    /**
     * The distance of {@code actual} from {@code expected}.
     *
     * @throws IllegalArgumentException if their lengths differ
     */
    public static StepDistance between(float[] expected, float[] actual, double scale) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException(actual.length + " elements, expected " + expected.length);
        }
        int equal = 0;
        double max = 0;
        double sum = 0;
        for (int i = 0; i < expected.length; i++) {
            double steps = Math.abs(expected[i] - actual[i]) / scale;
            equal += steps <= SAME ? 1 : 0;
            max = Math.max(max, steps);
            sum += steps;
        }
        return new StepDistance(equal / (double) expected.length, max, sum / expected.length);
    }

    /** None more than one step apart: the half of the project's int8 criterion (and 99% equal) that holds across oneDNN versions. */
    public boolean noneBeyondOneStep() {
        return maxSteps <= 1 + SAME;
    }

    /** At most as far as {@code other}, in largest and in mean difference. */
    public boolean noFartherThan(StepDistance other) {
        return maxSteps <= other.maxSteps + SAME && meanSteps <= other.meanSteps + SAME;
    }

    @Override
    public String toString() {
        return String.format("%.1f%% equal, at most %.2f steps, mean %.3f", 100 * equal, maxSteps, meanSteps);
    }
}
