package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;

/**
 * {@code min(max(x + 3, 0), 6) / 6}, as torch's {@code nn.Hardsigmoid}; float or quantized input.
 * torch 1.13's static mappings have no quantized Hardsigmoid: after convert this module stays and
 * runs libtorch's quantized hardsigmoid, whose output has fixed qparams (scale 1/256, zero point 0).
 */
public class Hardsigmoid extends Module {
    /** Creates the module. */
    public Hardsigmoid() {
    }

    /**
     * Applies hardsigmoid.
     *
     * @param input a float or quantized tensor
     * @return the output, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        return input.getDataType() == DataType.UNKNOWN ? QuantizedKernels.hardsigmoid(input) : hardsigmoid(input);
    }

    /**
     * torch's {@code hardsigmoid} on a float tensor, in torch's order of operations.
     *
     * @param x a float tensor
     * @return the output, owned by the input's manager
     */
    public static NDArray hardsigmoid(NDArray x) {
        try (NDArray gate = relu6Shifted(x)) {
            return gate.div(6f);
        }
    }

    /** {@code min(max(x + 3, 0), 6)}: the gate hardsigmoid and hardswish share. */
    static NDArray relu6Shifted(NDArray x) {
        try (NDArray shifted = x.add(3f)) {
            return shifted.clip(0f, 6f);
        }
    }
}
