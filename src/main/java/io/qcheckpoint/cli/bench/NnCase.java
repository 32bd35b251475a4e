package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.cli.bench.NnBenchmark.Check;
import io.qcheckpoint.cli.bench.NnVariants.Variant;
import io.qcheckpoint.pt.Tensor;
import java.util.List;

/**
 * One network of {@code bench nn}, loaded: its input, the variants that are timed, how their outputs
 * are checked before anything is timed, and which ratios of their times are judged.
 */
public interface NnCase extends AutoCloseable {
    /**
     * A ratio of two variants' times, formed per round and judged on its median.
     *
     * @param numerator the index of the variant whose time is divided
     * @param denominator the index of the variant it is divided by
     * @param column the table's column header, e.g. {@code fp32/int8}
     * @param claim the verdict's sentence, with one {@code %.2f} for the ratio
     * @param target the ratio to reach
     * @param atLeast whether the ratio must be at least the target (else at most)
     */
    record Target(int numerator, int denominator, String column, String claim, double target, boolean atLeast) {
        /** Returns whether {@code ratio} meets the target. */
        public boolean met(double ratio) {
            return atLeast ? ratio >= target : ratio <= target;
        }
    }

    /**
     * What checking the outputs found.
     *
     * @param checks the judged checks: the run exits 1 if one fails
     * @param notes lines printed for information
     */
    record Correctness(List<Check> checks, List<String> notes) {
    }

    /** Returns the input every variant runs. */
    Tensor input();

    /** Returns the variants, in the order of the table's columns. */
    List<Variant> variants();

    /**
     * Runs every variant once and checks the outputs.
     *
     * @param input {@link #input()} as an array
     * @param inputs the manager that owns it
     * @return the checks
     */
    Correctness check(NDArray input, NDManager inputs);

    /** Returns the ratios to judge. */
    List<Target> targets();

    /** Frees the models. */
    @Override
    void close();
}
