package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.IValue;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import java.util.Map;

/**
 * libtorch's quantized tensors and int8 kernels, reached through the TorchScript op library.
 *
 * <p>Quantized tensors are NDArrays whose DJL data type is {@code UNKNOWN}; aten ops called through
 * DJL (relu, reshape, flatten, pooling) accept them directly. Every result is owned by the manager
 * of the first tensor argument. Methods throw {@link ai.djl.engine.EngineException} when libtorch
 * rejects their arguments (a float tensor where a quantized one is needed, mismatched shapes).
 */
public final class QuantizedKernels {
    /** c10::ScalarType codes of the quantized dtypes. */
    private static final Map<DType, Integer> SCALAR_TYPES = Map.of(DType.QINT8, 12, DType.QUINT8, 13, DType.QINT32, 14);

    /** c10::QScheme codes, in order. */
    private static final QScheme[] QSCHEMES = {QScheme.PER_TENSOR_AFFINE, QScheme.PER_CHANNEL_AFFINE,
        QScheme.PER_TENSOR_SYMMETRIC, QScheme.PER_CHANNEL_SYMMETRIC, QScheme.PER_CHANNEL_AFFINE_FLOAT_QPARAMS};

    private QuantizedKernels() {
    }

    /**
     * Quantizes a float tensor with one scale and zero point ({@code torch.quantize_per_tensor}).
     *
     * @param x the float32 tensor
     * @param scale the scale
     * @param zeroPoint the zero point
     * @param dtype {@link DType#QUINT8}, {@link DType#QINT8} or {@link DType#QINT32}
     * @return the quantized tensor
     */
    public static NDArray quantizePerTensor(NDArray x, double scale, long zeroPoint, DType dtype) {
        try (Call c = new Call().tensor(x).f64(scale).i64(zeroPoint).i64(scalarType(dtype))) {
            return c.tensor("quantize_per_tensor", x.getManager());
        }
    }

    /**
     * Quantizes a float tensor with the output's boxed qparams (as {@code nn.quantized.Quantize}).
     *
     * @param x the float32 tensor
     * @param qparams the scale and zero point
     * @param dtype the quantized dtype
     * @return the quantized tensor
     */
    public static NDArray quantizePerTensor(NDArray x, QParams qparams, DType dtype) {
        try (Call c = new Call().tensor(x).borrowed(qparams.boxedScale()).borrowed(qparams.boxedZeroPoint())
                .i64(scalarType(dtype))) {
            return c.tensor("quantize_per_tensor", x.getManager());
        }
    }

    /**
     * Quantizes a float tensor channel by channel ({@code torch.quantize_per_channel}).
     *
     * @param x the float32 tensor
     * @param scales float64 scales, one per channel
     * @param zeroPoints int64 zero points, one per channel
     * @param axis the channel dimension
     * @param dtype the quantized dtype
     * @return the quantized tensor
     */
    public static NDArray quantizePerChannel(NDArray x, NDArray scales, NDArray zeroPoints, int axis, DType dtype) {
        try (Call c = new Call().tensor(x).tensor(scales).tensor(zeroPoints).i64(axis).i64(scalarType(dtype))) {
            return c.tensor("quantize_per_channel", x.getManager());
        }
    }

    /**
     * Returns the float32 values of a quantized tensor ({@code torch.dequantize}).
     *
     * @param q the quantized tensor
     * @return the float tensor
     */
    public static NDArray dequantize(NDArray q) {
        return Call.unary("dequantize", q);
    }

    /**
     * Builds a per-tensor quantized tensor from its integer representation.
     *
     * @param intRepr uint8 (for quint8), int8 (qint8) or int32 (qint32) values
     * @param scale the scale
     * @param zeroPoint the zero point
     * @return the quantized tensor, sharing no memory with {@code intRepr}
     */
    public static NDArray fromIntRepr(NDArray intRepr, double scale, long zeroPoint) {
        try (Call c = new Call().tensor(intRepr).f64(scale).i64(zeroPoint)) {
            return c.tensor("make_per_tensor", intRepr.getManager());
        }
    }

    /**
     * Builds a per-channel quantized tensor from its integer representation.
     *
     * @param intRepr uint8, int8 or int32 values
     * @param scales float64 scales, one per channel
     * @param zeroPoints int64 zero points, one per channel
     * @param axis the channel dimension
     * @return the quantized tensor
     */
    public static NDArray fromIntRepr(NDArray intRepr, NDArray scales, NDArray zeroPoints, int axis) {
        try (Call c = new Call().tensor(intRepr).tensor(scales).tensor(zeroPoints).i64(axis)) {
            return c.tensor("make_per_channel", intRepr.getManager());
        }
    }

    /**
     * Quantized relu6 ({@code quantized::relu6}): clamps to [0, 6] in the input's qparams.
     *
     * @param q the quantized tensor
     * @return the quantized result
     */
    public static NDArray relu6(NDArray q) {
        return Call.unary("relu6", q);
    }

    /**
     * Quantized hardswish ({@code quantized::hardswish}): {@code x * relu6(x + 3) / 6}, requantized to the
     * output's qparams.
     *
     * @param q the quantized tensor
     * @param scale the output scale
     * @param zeroPoint the output zero point
     * @return the quantized result
     */
    public static NDArray hardswish(NDArray q, double scale, long zeroPoint) {
        try (Call c = new Call().tensor(q).f64(scale).i64(zeroPoint)) {
            return c.tensor("hardswish", q.getManager());
        }
    }

    /**
     * libtorch's {@code torch.hardsigmoid}: {@code relu6(x + 3) / 6} for a float tensor; for a quantized one
     * its quantized kernel, whose output has fixed qparams (scale 1/256, zero point 0 for quint8).
     *
     * @param x a float or quantized tensor
     * @return the result, of the input's kind
     */
    public static NDArray hardsigmoid(NDArray x) {
        return Call.unary("hardsigmoid", x);
    }

    /** Returns the integer representation of a quantized tensor ({@code q.int_repr()}). */
    public static NDArray intRepr(NDArray q) {
        return Call.unary("int_repr", q);
    }

    /** Returns a quantized tensor's scheme ({@code q.qscheme()}). */
    public static QScheme qscheme(NDArray q) {
        try (Call c = new Call().tensor(q); IValue v = c.run("qscheme")) {
            return QSCHEMES[(int) v.toLong()];
        }
    }

    /** Returns a per-tensor quantized tensor's scale ({@code q.q_scale()}). */
    public static double qScale(NDArray q) {
        try (Call c = new Call().tensor(q); IValue v = c.run("q_scale")) {
            return v.toDouble();
        }
    }

    /** Returns a per-tensor quantized tensor's zero point ({@code q.q_zero_point()}). */
    public static long qZeroPoint(NDArray q) {
        try (Call c = new Call().tensor(q); IValue v = c.run("q_zero_point")) {
            return v.toLong();
        }
    }

    /** Returns a per-channel quantized tensor's scales ({@code q.q_per_channel_scales()}). */
    public static NDArray qPerChannelScales(NDArray q) {
        return Call.unary("q_per_channel_scales", q);
    }

    /** Returns a per-channel quantized tensor's zero points ({@code q.q_per_channel_zero_points()}). */
    public static NDArray qPerChannelZeroPoints(NDArray q) {
        return Call.unary("q_per_channel_zero_points", q);
    }

    /** Returns a per-channel quantized tensor's channel dimension ({@code q.q_per_channel_axis()}). */
    public static int qPerChannelAxis(NDArray q) {
        try (Call c = new Call().tensor(q); IValue v = c.run("q_per_channel_axis")) {
            return (int) v.toLong();
        }
    }

    /**
     * Quantized linear ({@code quantized::linear}, or {@code linear_relu}).
     *
     * @param x the quantized input (quint8)
     * @param weights the packed weight and bias
     * @param out the output scale and zero point
     * @param relu whether to apply relu
     * @return the quantized output
     */
    public static NDArray linear(NDArray x, PackedParams weights, QParams out, boolean relu) {
        return packedOp(relu ? "linear_relu" : "linear", x, weights, out);
    }

    /**
     * Dynamic quantized linear: quantizes the float input on the fly, returns float.
     *
     * @param x the float32 input
     * @param weights {@link PackedParams.Kind#LINEAR} or {@link PackedParams.Kind#LINEAR_FP16} weights
     * @param reduceRange whether the input is quantized to 7 bits (qint8 weights only)
     * @return the float32 output
     */
    public static NDArray linearDynamic(NDArray x, PackedParams weights, boolean reduceRange) {
        try (Call c = new Call().tensor(x).borrowed(weights.value())) {
            if (weights.kind() == PackedParams.Kind.LINEAR_FP16) {
                return c.tensor("linear_dynamic_fp16", x.getManager());
            }
            return c.bool(reduceRange).tensor("linear_dynamic", x.getManager());
        }
    }

    /**
     * Dynamic quantized linear with relu ({@code quantized::linear_relu_dynamic}), the input quantized
     * to 7 bits ({@code reduce_range}) as torch's dynamic {@code LinearReLU} always does.
     *
     * @param x the float32 input
     * @param weights {@link PackedParams.Kind#LINEAR} weights
     * @return the float32 output
     */
    public static NDArray linearReluDynamic(NDArray x, PackedParams weights) {
        try (Call c = new Call().tensor(x).borrowed(weights.value())) {
            return c.bool(true).tensor("linear_relu_dynamic", x.getManager());
        }
    }

    /**
     * Quantized convolution, 1-d, 2-d or 3-d by the packed weights' kind ({@code quantized::conv2d} ...).
     *
     * @param x the quantized input
     * @param weights the packed weight, bias and geometry
     * @param out the output scale and zero point
     * @param relu whether to apply relu
     * @return the quantized output
     */
    public static NDArray conv(NDArray x, PackedParams weights, QParams out, boolean relu) {
        String op = switch (weights.kind()) {
            case CONV1D -> "conv1d";
            case CONV2D -> "conv2d";
            case CONV3D -> "conv3d";
            default -> throw new IllegalArgumentException(weights.kind() + " weights are not convolution weights");
        };
        return packedOp(relu ? op + "_relu" : op, x, weights, out);
    }

    /**
     * Quantized elementwise binary op: {@code add}, {@code add_relu} or {@code mul}.
     *
     * @param op the op's name
     * @param a the first quantized operand
     * @param b the second quantized operand
     * @param out the output scale and zero point
     * @return the quantized result
     */
    public static NDArray binary(String op, NDArray a, NDArray b, QParams out) {
        if (!op.equals("add") && !op.equals("add_relu") && !op.equals("mul")) {
            throw new IllegalArgumentException("no quantized binary op '" + op + "'");
        }
        try (Call c = new Call().tensor(a).tensor(b).borrowed(out.boxedScale()).borrowed(out.boxedZeroPoint())) {
            return c.tensor(op, a.getManager());
        }
    }

    /**
     * Quantized {@code add_scalar} or {@code mul_scalar}: the output qparams follow from the input's.
     *
     * @param op {@code "add_scalar"} or {@code "mul_scalar"}
     * @param a the quantized operand
     * @param b the scalar
     * @return the quantized result
     */
    public static NDArray scalar(String op, NDArray a, double b) {
        if (!op.equals("add_scalar") && !op.equals("mul_scalar")) {
            throw new IllegalArgumentException("no quantized scalar op '" + op + "'");
        }
        try (Call c = new Call().tensor(a).f64(b)) {
            return c.tensor(op, a.getManager());
        }
    }

    /**
     * Quantized concatenation, requantized to {@code out}.
     *
     * @param xs the quantized tensors
     * @param dim the dimension
     * @param out the output scale and zero point
     * @return the quantized result
     */
    public static NDArray cat(NDArray[] xs, long dim, QParams out) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("cat needs at least one tensor");
        }
        try (Call c = new Call().tensors(xs).i64(dim).borrowed(out.boxedScale()).borrowed(out.boxedZeroPoint())) {
            return c.tensor("cat", xs[0].getManager());
        }
    }

    /**
     * Quantized 2-d batch norm in eval mode ({@code quantized::batch_norm2d}).
     *
     * @param x the quantized input, [N, C, H, W]
     * @param weight the float32 scale, [C]
     * @param bias the float32 shift, [C]
     * @param mean the running mean, [C]
     * @param var the running variance, [C]
     * @param eps the epsilon
     * @param out the output scale and zero point
     * @return the quantized output
     */
    public static NDArray batchNorm2d(NDArray x, NDArray weight, NDArray bias, NDArray mean, NDArray var, double eps,
            QParams out) {
        return batchNorm("batch_norm2d", x, weight, bias, mean, var, eps, out);
    }

    /**
     * Quantized 3-d batch norm in eval mode ({@code quantized::batch_norm3d}).
     *
     * @param x the quantized input, [N, C, D, H, W]
     * @param weight the float32 scale, [C]
     * @param bias the float32 shift, [C]
     * @param mean the running mean, [C]
     * @param var the running variance, [C]
     * @param eps the epsilon
     * @param out the output scale and zero point
     * @return the quantized output
     */
    public static NDArray batchNorm3d(NDArray x, NDArray weight, NDArray bias, NDArray mean, NDArray var, double eps,
            QParams out) {
        return batchNorm("batch_norm3d", x, weight, bias, mean, var, eps, out);
    }

    private static NDArray batchNorm(String method, NDArray x, NDArray weight, NDArray bias, NDArray mean, NDArray var,
            double eps, QParams out) {
        try (Call c = new Call().tensor(x).tensor(weight).tensor(bias).tensor(mean).tensor(var).f64(eps)
                .borrowed(out.boxedScale()).borrowed(out.boxedZeroPoint())) {
            return c.tensor(method, x.getManager());
        }
    }

    private static NDArray packedOp(String op, NDArray x, PackedParams weights, QParams out) {
        try (Call c = new Call().tensor(x).borrowed(weights.value()).borrowed(out.boxedScale())
                .borrowed(out.boxedZeroPoint())) {
            return c.tensor(op, x.getManager());
        }
    }

    private static int scalarType(DType dtype) {
        Integer code = SCALAR_TYPES.get(dtype);
        if (code == null) {
            throw new IllegalArgumentException(dtype + " is not a quantized dtype libtorch can quantize to");
        }
        return code;
    }
}
