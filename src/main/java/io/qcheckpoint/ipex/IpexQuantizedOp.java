package io.qcheckpoint.ipex;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.quantized.DeQuantize;
import io.qcheckpoint.nn.quantized.Quantize;

/**
 * One op of an IPEX checkpoint, run in int8 inside a float model: its float input is quantized with
 * the calibrated input scale ({@code quant}), the int8 kernel runs ({@code module}), and the result
 * is dequantized ({@code dequant}). Not part of any state dict format: IPEX checkpoints hold no weights.
 */
public final class IpexQuantizedOp extends Module {
    /**
     * Assembles the op; the modules become this one's.
     *
     * @param quant quantizes the input
     * @param module the quantized conv or linear
     */
    IpexQuantizedOp(Quantize quant, Module module) {
        register("quant", quant);
        register("module", module);
        register("dequant", new DeQuantize());
    }

    @Override
    public NDArray forward(NDArray input) {
        return call("dequant", call("module", call("quant", input)));
    }
}
