package io.qcheckpoint.ipex;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexOpCalibration;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ConvNd;
import io.qcheckpoint.nn.ForwardHook;
import io.qcheckpoint.nn.ForwardHooks;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.intrinsic.LinearReLU;
import io.qcheckpoint.nn.quantized.Quantize;
import io.qcheckpoint.nn.quantized.QuantizedWeights;
import io.qcheckpoint.pt.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the int8 model an IPEX calibration list describes (FORMATS.md 4): the ops are the
 * quantizable modules in the order one forward pass on an example input runs them; each op marked
 * {@code quantized} becomes an {@link IpexQuantizedOp}, with symmetric int8 weights quantized from
 * the float weights (per channel or per tensor, as {@code weight_granularity} says; scale
 * {@code max|w| / 127.5}) and activations quantized with the list's scales (multipliers:
 * {@code scale = 1 / multiplier}) and zero points. int8 activations run as quint8 with the zero point
 * moved by 128, which is the same grid, because libtorch's x86 kernels take quint8 activations.
 */
public final class IpexRebuild {
    /** IPEX's op names, by the module type that runs the op. */
    private static final Map<Class<? extends Module>, String> NAMES = Map.of(Conv2d.class, "Convolution",
            ConvReLU2d.class, "Convolution_Relu", Linear.class, "Linear", LinearReLU.class, "Linear_Relu");
    private static final long SIGNED_TO_UNSIGNED = 128;

    private IpexRebuild() {
    }

    /**
     * Builds the model; {@code fp32} is not changed.
     *
     * @param cfg the calibration list
     * @param fp32 the float model (fused as IPEX fused it: ConvReLU2d for {@code Convolution_Relu})
     * @param example an input for one forward pass that orders the ops
     * @param file the list's file, for messages
     * @return the model, owned by the caller
     * @throws ModelMismatchException if the ops the model runs do not match the list
     */
    public static Module rebuild(IpexConfig cfg, Module fp32, NDArray example, String file) throws ModelMismatchException {
        Module model = fp32.copy().eval();
        try {
            List<String> order = executionOrder(model, example);
            check(cfg, model, order, file);
            for (int i = 0; i < order.size(); i++) {
                IpexOpCalibration op = cfg.ops().get(i);
                if (op.quantized()) {
                    model.replace(order.get(i), quantized(model.module(order.get(i)), op)).close();
                }
            }
            return model;
        } catch (ModelMismatchException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Runs the example once and returns the paths of the ops in the order they ran. */
    private static List<String> executionOrder(Module model, NDArray example) {
        List<String> order = new ArrayList<>();
        runOps(model, example, (path, input, output) -> order.add(path));
        return order;
    }

    /**
     * Runs {@code input} once through {@code model} with {@code hook} on every op (a module of a
     * {@link #NAMES} type that is not part of another op), as {@link ForwardHooks#run}. Ops do not
     * nest, so the order in which the hook hears them is the order in which they start.
     */
    static void runOps(Module model, NDArray input, ForwardHook hook) {
        List<String> ops = new ArrayList<>();
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            boolean insideOp = ops.stream().anyMatch(o -> e.getKey().startsWith(o + "."));
            if (NAMES.containsKey(e.getValue().getClass()) && !insideOp) {
                ops.add(e.getKey());
            }
        }
        ForwardHooks.run(model, ops, input, hook);
    }

    /**
     * Returns IPEX's name of an op.
     *
     * @param op a module {@link #runOps} treats as an op
     * @return e.g. {@code Convolution_Relu}
     */
    static String ipexName(Module op) {
        return NAMES.get(op.getClass());
    }

    private static void check(IpexConfig cfg, Module model, List<String> order, String file) throws ModelMismatchException {
        List<String> problems = new ArrayList<>();
        if (order.size() != cfg.ops().size()) {
            problems.add("the list has " + cfg.ops().size() + " ops, the model ran " + order.size() + " " + order);
        }
        for (int i = 0; i < Math.min(order.size(), cfg.ops().size()); i++) {
            String expected = NAMES.get(model.module(order.get(i)).getClass());
            if (!expected.equals(cfg.ops().get(i).name())) {
                Module m = model.module(order.get(i));
                problems.add("op " + i + " is " + cfg.ops().get(i).name() + " in the list, but the model's op " + i
                        + " is '" + order.get(i) + "' (" + m.getClass().getSimpleName() + ", an IPEX " + expected + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelMismatchException(file, "the calibration list does not fit the model: " + String.join("; ", problems));
        }
    }

    private static IpexQuantizedOp quantized(Module floatOp, IpexOpCalibration op) {
        boolean relu = floatOp instanceof ConvReLU2d || floatOp instanceof LinearReLU;
        Module inner = relu ? floatOp.child("0") : floatOp;
        NDArray weight = inner.parameter("weight");
        NDArray bias = inner.parameter("bias");
        long out = activation(op.outputsZeroPoint().orElse(List.of()), op.outputsUint8Used());
        double outScale = 1.0 / op.outputsScale().get(0);
        long in = activation(op.inputsZeroPoint().orElse(List.of()), op.inputsUint8Used());
        Quantize quant = new Quantize(1.0 / op.inputsScale().get(0), in, DType.QUINT8);
        try (NDManager scratch = NDManager.newBaseManager()) {
            NDArray w = QuantizedWeights.symmetric(weight, op.weightGranularity().equals("per_channel"), scratch);
            return new IpexQuantizedOp(quant, int8Module(inner, relu, w, bias, outScale, out));
        }
    }

    /** The quantized conv or linear, with relu fused when the float op had it. */
    private static Module int8Module(Module inner, boolean relu, NDArray w, NDArray bias, double scale, long zeroPoint) {
        if (inner instanceof ConvNd c) {
            long[] stride = c.stride();
            long[] padding = c.padding();
            long[] dilation = c.dilation();
            return relu
                    ? new io.qcheckpoint.nn.quantized.ConvReLU2d(w, bias, stride, padding, dilation, c.groups(), scale, zeroPoint)
                    : new io.qcheckpoint.nn.quantized.Conv2d(w, bias, stride, padding, dilation, c.groups(), scale, zeroPoint);
        }
        return relu ? new io.qcheckpoint.nn.quantized.LinearReLU(w, bias, scale, zeroPoint)
                : new io.qcheckpoint.nn.quantized.Linear(w, bias, scale, zeroPoint);
    }

    /** The quint8 zero point of an activation: IPEX's (default 0), moved by 128 for int8 data. */
    private static long activation(List<Long> zeroPoints, List<Boolean> uint8) {
        long zp = zeroPoints.isEmpty() ? 0 : zeroPoints.get(0);
        return uint8.isEmpty() || uint8.get(0) ? zp : zp + SIGNED_TO_UNSIGNED;
    }
}
