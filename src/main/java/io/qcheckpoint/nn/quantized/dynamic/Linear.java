package io.qcheckpoint.nn.quantized.dynamic;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.ForwardChecks;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.LoadContext;
import io.qcheckpoint.pt.DType;

/**
 * Dynamic quantized linear layer, as torch's {@code nn.quantized.dynamic.Linear} (version 4):
 * float32 in and out, the input quantized on the fly; weights qint8 or float16. The state dict has
 * {@link io.qcheckpoint.nn.quantized.Linear}'s keys, with {@code scale} 1.0 and {@code zero_point}
 * 0 as placeholders.
 *
 * <p>As in torch, a layer loaded from a state dict whose {@code _metadata} version is below 4 (or
 * absent) runs the qint8 kernel without {@code reduce_range}; version 4 runs it with.
 */
public class Linear extends io.qcheckpoint.nn.quantized.Linear {
    private boolean reduceRange = true;

    /**
     * Creates the layer.
     *
     * @param dtype {@link DType#QINT8} (weight qint8) or {@link DType#FLOAT16} (weight float32)
     * @param weight the weight, [out, in]
     * @param bias the float32 bias, [out], or null
     */
    public Linear(DType dtype, NDArray weight, NDArray bias) {
        super(dtype, weight, bias, 1.0, 0);
    }

    @Override
    protected int version() {
        return 4;
    }

    /** Returns whether the qint8 kernel quantizes inputs to 7 bits, as torch's version-4 layer does. */
    public boolean reduceRange() {
        return reduceRange;
    }

    /**
     * Runs the layer on the last dimension, quantizing the input on the fly.
     *
     * @param input a float32 tensor [..., in]
     * @return the float32 output [..., out], owned by the input's manager
     * @throws ForwardException if the input is not float32, or its last dimension does not fit
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.linear(this, input, packedParams().inFeatures(), DataType.FLOAT32);
        return QuantizedKernels.linearDynamic(input, packedParams().packed(), reduceRange);
    }

    @Override
    protected Runnable loadFromStateDict(LoadContext ctx, String prefix) {
        Runnable own = super.loadFromStateDict(ctx, prefix);
        boolean staged = ctx.metadata(prefix).get("version") instanceof Number v && v.longValue() >= 4;
        return () -> {
            own.run();
            reduceRange = staged;
        };
    }
}
