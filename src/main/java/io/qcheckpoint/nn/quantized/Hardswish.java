package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.Module;

/**
 * Quantized hardswish, as torch's {@code nn.quantized.Hardswish}: libtorch's quantized hardswish,
 * requantized to the output scale and zero point. As in torch 1.13 these are plain attributes, not
 * state: its state dict is empty, so a checkpoint never carries them and LPOT's load leaves the
 * values convert gave (its uncalibrated observer's: scale 1, zero point 0).
 */
public class Hardswish extends Module {
    private final double scale;
    private final long zeroPoint;

    /**
     * Creates the module.
     *
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public Hardswish(double scale, long zeroPoint) {
        this.scale = scale;
        this.zeroPoint = zeroPoint;
    }

    /** Returns the output scale. */
    public double scale() {
        return scale;
    }

    /** Returns the output zero point. */
    public long zeroPoint() {
        return zeroPoint;
    }

    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.hardswish(input, scale, zeroPoint);
    }
}
