package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.PackedParams;
import io.qcheckpoint.kernels.QuantizedArrays;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.ForwardChecks;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.LoadContext;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Static quantized convolution, as torch's {@code nn.quantized._ConvNd}: qint8 weight and float32
 * bias prepacked with the geometry. State dict: {@code weight} (qint8), {@code bias} (Parameter or
 * None), {@code scale}, {@code zero_point}.
 */
public abstract class ConvNd extends QuantizedModule {
    private final PackedParams.Kind kind;
    private final long[] weightShape;
    private final long[] stride;
    private final long[] padding;
    private final long[] dilation;
    private final long groups;
    private PackedSlot packed;

    /**
     * Packs the weights with the geometry.
     *
     * @param kind {@link PackedParams.Kind#CONV1D}, {@code CONV2D} or {@code CONV3D}
     * @param weight the qint8 weight, [out, in / groups, kernel...]
     * @param bias the float32 bias, [out], or null
     * @param stride one value per spatial dimension
     * @param padding zero padding, one value per spatial dimension
     * @param dilation one value per spatial dimension
     * @param groups the number of groups
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    protected ConvNd(PackedParams.Kind kind, NDArray weight, NDArray bias, long[] stride, long[] padding,
            long[] dilation, long groups, double scale, long zeroPoint) {
        super(scale, zeroPoint);
        this.kind = kind;
        this.weightShape = weight.getShape().getShape();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        this.packed = PackedSlot.of(pack(weight, bias));
    }

    /**
     * Takes weights to quantize and pack on first use ({@link DeferredWeights}), with the geometry.
     *
     * @param kind {@link PackedParams.Kind#CONV1D}, {@code CONV2D} or {@code CONV3D}
     * @param weights the weights, [out, in / groups, kernel...], now owned by this module
     * @param stride one value per spatial dimension
     * @param padding zero padding, one value per spatial dimension
     * @param dilation one value per spatial dimension
     * @param groups the number of groups
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    protected ConvNd(PackedParams.Kind kind, DeferredWeights weights, long[] stride, long[] padding,
            long[] dilation, long groups, double scale, long zeroPoint) {
        super(scale, zeroPoint);
        this.kind = kind;
        this.weightShape = weights.shape().clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        this.packed = PackedSlot.deferred(weights, this::pack);
    }

    /** Returns whether relu is fused into the output (true for the ConvReLU classes). */
    protected boolean fusedRelu() {
        return false;
    }

    /** Returns the packed weights. */
    public PackedParams packed() {
        return packed.get();
    }

    /**
     * Unpacks the weight and bias, as torch's {@code _weight_bias()}.
     *
     * @param manager the owner of the arrays
     * @return the qint8 weight and the bias (null when there is none)
     */
    public NDArray[] weightBias(NDManager manager) {
        return packed().unpack(manager);
    }

    /**
     * Runs the int8 convolution.
     *
     * @param input a quantized tensor [N, in_channels, ...]
     * @return the quantized output, owned by the input's manager
     * @throws ForwardException if the input is not quantized, or its rank or channels do not fit
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.conv(this, input, weightShape.length - 2, weightShape[1] * groups, DataType.UNKNOWN, false);
        return QuantizedKernels.conv(input, packed(), outputQParams(), fusedRelu());
    }

    @Override
    protected void saveWeights(StateDict dest, String prefix) {
        try (NDManager scratch = manager().newSubManager()) {
            NDArray[] wb = packed().unpack(scratch);
            dest.put(prefix + "weight", QuantizedArrays.toTensor(wb[0]));
            dest.put(prefix + "bias", wb[1] == null ? null : TensorArrays.toTensor(wb[1]).asParameter(true));
        }
    }

    @Override
    protected Runnable stageWeights(LoadContext ctx, String prefix) {
        Tensor w = ctx.tensor(prefix + "weight");
        boolean hasBias = ctx.contains(prefix + "bias");
        Object b = ctx.take(prefix + "bias");
        if (w == null || !hasBias) {
            return () -> { };
        }
        String problem = check(w, b);
        if (problem != null) {
            ctx.error(problem.replace("%s", prefix));
            return () -> { };
        }
        NDArray weight = QuantizedArrays.toNDArray(ctx.staging(), w);
        NDArray bias = b == null ? null : TensorArrays.toNDArray(ctx.staging(), (Tensor) b);
        Supplier<PackedParams> staged = ctx.packLater(w.numel(), () -> pack(weight, bias));
        return () -> packed.replace(staged.get());
    }

    private String check(Tensor w, Object b) {
        if (w.dtype() != DType.QINT8 || !Arrays.equals(w.shape(), weightShape)) {
            return "'%sweight' is " + w.dtype().torchName() + " " + Arrays.toString(w.shape()) + ", expected qint8 "
                    + Arrays.toString(weightShape);
        }
        if (b != null && (!(b instanceof Tensor t) || t.dtype() != DType.FLOAT32 || t.dim() != 1
                || t.shape()[0] != weightShape[0])) {
            return "'%sbias' must be None or a float32 tensor [" + weightShape[0] + "]";
        }
        String qparams = QParamsCheck.problem(w);
        if (qparams != null) {
            return "'%sweight' " + qparams;
        }
        return null;
    }

    private PackedParams pack(NDArray weight, NDArray bias) {
        return PackedParams.conv(kind, weight, bias, stride, padding, dilation, groups);
    }

    private PackedParams pack(NDArray[] weightBias) {
        return pack(weightBias[0], weightBias[1]);
    }

    @Override
    protected void afterCopy() {
        super.afterCopy();
        packed = packed.copy(this::pack);
    }

    @Override
    protected void closeOwn() {
        packed.close();
        super.closeOwn();
    }
}
