package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.PackedParams;
import io.qcheckpoint.kernels.QuantizedArrays;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.LoadContext;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.Tuple;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The prepacked weight and bias of a quantized linear layer, as torch's
 * {@code LinearPackedParams} (child {@code _packed_params}, version 3). State dict: {@code dtype}
 * ({@code torch.qint8}, or {@code torch.float16} for dynamic fp16) and {@code _packed_params}, the
 * tuple (weight, bias Parameter or None).
 */
public class LinearPackedParams extends Module {
    private final long[] weightShape;
    private DType dtype;
    private PackedSlot packed;

    /**
     * Packs a weight and bias.
     *
     * @param dtype {@link DType#QINT8} (weight quantized qint8) or {@link DType#FLOAT16} (weight float32)
     * @param weight the weight, [out, in]
     * @param bias the float32 bias, [out], or null
     */
    public LinearPackedParams(DType dtype, NDArray weight, NDArray bias) {
        this.weightShape = weight.getShape().getShape();
        this.dtype = dtype;
        this.packed = PackedSlot.of(PackedParams.linear(kind(dtype), weight, bias));
    }

    /**
     * Takes qint8 weights to quantize and pack on first use ({@link DeferredWeights}).
     *
     * @param weights the weights, [out, in], now owned by this module
     */
    public LinearPackedParams(DeferredWeights weights) {
        this.weightShape = weights.shape().clone();
        this.dtype = DType.QINT8;
        this.packed = PackedSlot.deferred(weights, wb -> PackedParams.linear(PackedParams.Kind.LINEAR, wb[0], wb[1]));
    }

    @Override
    protected int version() {
        return 3;
    }

    /** Returns the weights as libtorch packed them. */
    public PackedParams packed() {
        return packed.get();
    }

    /** Returns the input size: the weight's second dimension. */
    public long inFeatures() {
        return weightShape[1];
    }

    /** Returns {@code torch.qint8} or {@code torch.float16}. */
    public DType dtype() {
        return dtype;
    }

    /**
     * Unpacks the weight and bias, as torch's {@code _weight_bias()}.
     *
     * @param manager the owner of the arrays
     * @return the weight and the bias (null when there is none)
     */
    public NDArray[] weightBias(NDManager manager) {
        return packed().unpack(manager);
    }

    @Override
    public NDArray forward(NDArray input) {
        throw new UnsupportedOperationException("LinearPackedParams holds weights; its parent runs them");
    }

    @Override
    protected void saveToStateDict(StateDict dest, String prefix) {
        super.saveToStateDict(dest, prefix);
        try (NDManager scratch = manager().newSubManager()) {
            NDArray[] wb = packed().unpack(scratch);
            Tensor weight = dtype == DType.QINT8 ? QuantizedArrays.toTensor(wb[0]) : TensorArrays.toTensor(wb[0]);
            Tensor bias = wb[1] == null ? null : TensorArrays.toTensor(wb[1]).asParameter(true);
            dest.put(prefix + "dtype", dtype);
            dest.put(prefix + "_packed_params", Tuple.of(weight, bias));
        }
    }

    @Override
    protected Runnable loadFromStateDict(LoadContext ctx, String prefix) {
        Runnable own = super.loadFromStateDict(ctx, prefix);
        Supplier<PackedParams> staged = stage(ctx, prefix);
        return () -> {
            own.run();
            if (staged != null) {
                PackedParams p = staged.get();
                packed.replace(p);
                dtype = p.kind() == PackedParams.Kind.LINEAR ? DType.QINT8 : DType.FLOAT16;
            }
        };
    }

    private Supplier<PackedParams> stage(LoadContext ctx, String prefix) {
        Object dt = ctx.take(prefix + "dtype");
        Object tuple = ctx.take(prefix + "_packed_params");
        if (dt == null || tuple == null) {
            return null;
        }
        if (dt != DType.QINT8 && dt != DType.FLOAT16) {
            ctx.error("'" + prefix + "dtype' is " + dt + ", expected torch.qint8 or torch.float16");
            return null;
        }
        if (!(tuple instanceof Tuple t) || t.size() != 2 || !(t.get(0) instanceof Tensor w)
                || t.get(1) != null && !(t.get(1) instanceof Tensor)) {
            ctx.error("'" + prefix + "_packed_params' must be a tuple (weight, bias or None)");
            return null;
        }
        Tensor b = (Tensor) t.get(1);
        String problem = check(dt == DType.QINT8, w, b);
        if (problem != null) {
            ctx.error("'" + prefix + "_packed_params' " + problem);
            return null;
        }
        NDArray weight = dt == DType.QINT8 ? QuantizedArrays.toNDArray(ctx.staging(), w)
                : TensorArrays.toNDArray(ctx.staging(), w);
        NDArray bias = b == null ? null : TensorArrays.toNDArray(ctx.staging(), b);
        PackedParams.Kind kind = kind((DType) dt);
        return ctx.packLater(w.numel(), () -> PackedParams.linear(kind, weight, bias));
    }

    private String check(boolean quantized, Tensor w, Tensor b) {
        if (quantized ? w.dtype() != DType.QINT8 : w.dtype() != DType.FLOAT32) {
            return "holds a " + w.dtype().torchName() + " weight, expected " + (quantized ? "qint8" : "float32");
        }
        if (!Arrays.equals(w.shape(), weightShape)) {
            return "holds a weight of shape " + Arrays.toString(w.shape()) + ", the module has "
                    + Arrays.toString(weightShape);
        }
        if (b != null && (b.dtype() != DType.FLOAT32 || b.dim() != 1 || b.shape()[0] != weightShape[0])) {
            return "holds a bias of " + b.dtype().torchName() + " " + Arrays.toString(b.shape()) + ", expected float32 ["
                    + weightShape[0] + "]";
        }
        String qparams = quantized ? QParamsCheck.problem(w) : null;
        return qparams == null ? null : "holds a weight whose " + qparams;
    }

    @Override
    protected void afterCopy() {
        super.afterCopy();
        PackedParams.Kind kind = kind(dtype);
        packed = packed.copy(wb -> PackedParams.linear(kind, wb[0], wb[1]));
    }

    @Override
    protected void closeOwn() {
        packed.close();
        super.closeOwn();
    }

    private static PackedParams.Kind kind(DType dtype) {
        return switch (dtype) {
            case QINT8 -> PackedParams.Kind.LINEAR;
            case FLOAT16 -> PackedParams.Kind.LINEAR_FP16;
            default -> throw new IllegalArgumentException("linear weights are packed as qint8 or float16, not " + dtype);
        };
    }
}
