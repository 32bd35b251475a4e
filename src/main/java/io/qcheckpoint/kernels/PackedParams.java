package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.IValue;

/**
 * Weights prepacked by libtorch for its int8 kernels (torch's {@code LinearPackedParamsBase} and
 * {@code Conv2dPackedParamsBase}/{@code Conv3dPackedParamsBase}). Packing happens once, when a
 * quantized module is built; forward passes only borrow the packed object. Immutable once built,
 * so safe to share between threads; the owning module closes it.
 */
public final class PackedParams implements AutoCloseable {
    /** What was packed, and the op-library methods that pack and unpack it. */
    public enum Kind {
        /** int8 linear weight (static and dynamic). */
        LINEAR("linear_prepack", "linear_unpack"),
        /** float16 linear weight (dynamic fp16). */
        LINEAR_FP16("linear_prepack_fp16", "linear_unpack_fp16"),
        /** int8 conv1d weight (libtorch packs it as 2-d). */
        CONV1D("conv1d_prepack", "conv2d_unpack"),
        /** int8 conv2d weight. */
        CONV2D("conv2d_prepack", "conv2d_unpack"),
        /** int8 conv3d weight. */
        CONV3D("conv3d_prepack", "conv3d_unpack");

        private final String prepack;
        private final String unpack;

        Kind(String prepack, String unpack) {
            this.prepack = prepack;
            this.unpack = unpack;
        }
    }

    private final Kind kind;
    private final IValue value;

    private PackedParams(Kind kind, IValue value) {
        this.kind = kind;
        this.value = value;
    }

    /**
     * Packs a linear layer's weight and bias.
     *
     * @param kind {@link Kind#LINEAR} (a qint8 weight) or {@link Kind#LINEAR_FP16} (a float32 weight)
     * @param weight the weight, [out, in]
     * @param bias the float32 bias, [out], or null
     * @return the packed weights
     * @throws ai.djl.engine.EngineException if libtorch rejects the weight
     */
    public static PackedParams linear(Kind kind, NDArray weight, NDArray bias) {
        if (kind != Kind.LINEAR && kind != Kind.LINEAR_FP16) {
            throw new IllegalArgumentException(kind + " is not a linear kind");
        }
        try (Call c = new Call().tensor(weight)) {
            if (bias == null) {
                return new PackedParams(kind, c.run(kind.prepack + "_nobias"));
            }
            return new PackedParams(kind, c.tensor(bias).run(kind.prepack));
        }
    }

    /**
     * Packs a convolution's qint8 weight and bias.
     *
     * @param kind {@link Kind#CONV1D}, {@link Kind#CONV2D} or {@link Kind#CONV3D}
     * @param weight the weight, [out, in / groups, kernel...]
     * @param bias the float32 bias, [out], or null
     * @param stride the stride, one value per spatial dimension
     * @param padding the zero padding, one value per spatial dimension
     * @param dilation the dilation, one value per spatial dimension
     * @param groups the number of groups
     * @return the packed weights
     * @throws ai.djl.engine.EngineException if libtorch rejects the weight or the geometry
     */
    public static PackedParams conv(Kind kind, NDArray weight, NDArray bias, long[] stride, long[] padding,
            long[] dilation, long groups) {
        if (kind == Kind.LINEAR || kind == Kind.LINEAR_FP16) {
            throw new IllegalArgumentException(kind + " is not a convolution kind");
        }
        try (Call c = new Call().tensor(weight)) {
            if (bias != null) {
                c.tensor(bias);
            }
            c.longs(stride).longs(padding).longs(dilation).i64(groups);
            return new PackedParams(kind, c.run(kind.prepack + (bias == null ? "_nobias" : "")));
        }
    }

    /** Returns what was packed. */
    public Kind kind() {
        return kind;
    }

    /**
     * Unpacks the weight and bias, as torch's {@code _weight_bias()} does.
     *
     * @param manager the owner of the returned arrays
     * @return the weight (quantized, or float32 for fp16) and the bias (null when there is none)
     */
    public NDArray[] unpack(NDManager manager) {
        try (Call c = new Call().borrowed(value); IValue result = c.run(kind.unpack)) {
            IValue[] pair = result.toIValueTuple();
            try {
                NDArray weight = pair[0].toTensor(Call.ptManager(manager));
                if (kind == Kind.CONV1D) {
                    weight = weight.squeeze(2);
                }
                NDArray bias = pair[1].isTensor() ? pair[1].toTensor(Call.ptManager(manager)) : null;
                return new NDArray[] {weight, bias};
            } finally {
                for (IValue v : pair) {
                    v.close();
                }
            }
        }
    }

    IValue value() {
        return value;
    }

    @Override
    public void close() {
        value.close();
    }
}
