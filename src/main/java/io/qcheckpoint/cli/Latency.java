package io.qcheckpoint.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.nn.Module;
import java.util.Arrays;

/** The median wall time of a model's forward pass, after a warm-up: for side-by-side ratios, not absolute claims. */
final class Latency {
    private static final int WARM_UP = 5;
    private static final int RUNS = 30;

    private Latency() {
    }

    /**
     * Times {@code model.forward(input)}.
     *
     * @param model the model
     * @param input the input, not changed
     * @return the median of the timed runs, in milliseconds
     */
    static double medianMillis(Module model, NDArray input) {
        double[] ms = new double[RUNS];
        for (int i = 0; i < WARM_UP + RUNS; i++) {
            try (NDManager scratch = input.getManager().newSubManager()) {
                NDArray x = input.duplicate();
                x.attach(scratch);
                long t0 = System.nanoTime();
                model.forward(x);
                long t1 = System.nanoTime();
                if (i >= WARM_UP) {
                    ms[i - WARM_UP] = (t1 - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[RUNS / 2];
    }
}
