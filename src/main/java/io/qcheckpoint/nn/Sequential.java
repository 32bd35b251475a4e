package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * Runs its children in order, as torch's {@code nn.Sequential}: children named {@code "0"},
 * {@code "1"}, ... Forward goes through the tree as it is at call time, so a child swapped by
 * {@link #replace} is the one that runs.
 */
public class Sequential extends Module {
    /**
     * Creates the container.
     *
     * @param modules the children, now owned by this container, in order
     */
    public Sequential(Module... modules) {
        for (int i = 0; i < modules.length; i++) {
            register(String.valueOf(i), modules[i]);
        }
    }

    /**
     * Runs each child on the previous one's output.
     *
     * @param input the first child's input
     * @return the last child's output (the input itself when there is no child)
     */
    @Override
    public NDArray forward(NDArray input) {
        NDArray x = input;
        for (String name : List.copyOf(namedChildren().keySet())) {
            x = call(name, x);
        }
        return x;
    }
}
