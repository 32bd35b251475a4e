package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * {@code x * min(max(x + 3, 0), 6) / 6}, as torch's {@code nn.Hardswish}, for float input. Convert
 * swaps it for the quantized package's {@code Hardswish}, which has output qparams of its own.
 */
public class Hardswish extends Module {
    /** Creates the module. */
    public Hardswish() {
    }

    /**
     * Applies hardswish.
     *
     * @param input a float tensor
     * @return the output, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        return hardswish(input);
    }

    /**
     * torch's {@code hardswish} on a float tensor, in torch's order of operations.
     *
     * @param x a float tensor
     * @return the output, owned by the input's manager
     */
    public static NDArray hardswish(NDArray x) {
        try (NDArray gate = Hardsigmoid.relu6Shifted(x); NDArray gated = x.mul(gate)) {
            return gated.div(6f);
        }
    }
}
