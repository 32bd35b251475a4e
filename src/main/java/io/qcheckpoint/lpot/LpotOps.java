package io.qcheckpoint.lpot;

import io.qcheckpoint.config.Algorithm;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.Granularity;
import io.qcheckpoint.config.OpConfig;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.QuantDType;
import io.qcheckpoint.config.Scheme;
import io.qcheckpoint.config.TensorConfig;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.quantization.QuantizationMappings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ops LPOT 1.x tunes in an eager PyTorch model, named as its tune config names them
 * ({@code PyTorchAdaptor._get_quantizable_ops_recursively}), and the per-op values it writes for
 * them (its {@code pytorch_cpu.yaml} capabilities for torch 1.7+: uint8 asymmetric per-tensor
 * activations, per-channel symmetric int8 weights with {@code bit: 7.0}).
 */
public final class LpotOps {
    /** LPOT's {@code unify_op_type_mapping}: fused modules named by the op they quantize (not ConvReLU1d). */
    private static final Map<String, String> UNIFIED_TYPES = Map.of("ConvReLU2d", "Conv2d", "ConvReLU3d", "Conv3d",
            "ConvBn2d", "Conv2d", "ConvBnReLU2d", "Conv2d", "LinearReLU", "Linear");
    /**
     * The activation algorithms of the op types {@code pytorch_cpu.yaml} names in its int8 (static)
     * capabilities; every other type but QuantStub has its {@code default}: kl only.
     */
    private static final Map<String, List<Algorithm>> STATIC_ALGORITHMS = Map.of(
            "Conv1d", List.of(Algorithm.KL, Algorithm.MINMAX), "Conv2d", List.of(Algorithm.KL, Algorithm.MINMAX),
            "Conv3d", List.of(Algorithm.KL, Algorithm.MINMAX), "Linear", List.of(Algorithm.KL, Algorithm.MINMAX),
            "QuantStub", List.of(Algorithm.MINMAX));
    private static final List<Algorithm> STATIC_DEFAULT_ALGORITHMS = List.of(Algorithm.KL);
    /** The dynamic capabilities' activation algorithm, for Linear and the default alike. */
    private static final List<Algorithm> DYNAMIC_ALGORITHMS = List.of(Algorithm.MINMAX);
    /** What LPOT writes as the bit width of an int8 weight. */
    private static final double WEIGHT_BIT = 7.0;

    private LpotOps() {
    }

    /**
     * Returns the op type LPOT writes for a module: its class name, fused types unified as LPOT's
     * {@code unify_op_type_mapping} does ({@code ConvReLU2d} is a {@code Conv2d}, {@code LinearReLU}
     * a {@code Linear}; a {@code ConvReLU1d} stays a {@code ConvReLU1d}).
     *
     * @param module the module
     * @return the op type
     */
    public static String opType(Module module) {
        String type = module.typeName();
        return UNIFIED_TYPES.getOrDefault(type, type);
    }

    /**
     * Lists the ops LPOT would tune, in model order: a depth-first walk of the children where a
     * module whose exact type is in LPOT's white list for the approach, and is not Sequential or
     * DeQuantStub, is an op and is not descended into. The white lists are torch 1.13's: for the
     * static and QAT approaches {@code get_default_qconfig_propagation_list()} (static, QAT and
     * dynamic mapping keys; LPOT removes LayerNorm, InstanceNorm3d and Embedding, which this library
     * lacks), for the dynamic one the keys of the default dynamic mappings (Linear, LinearReLU). So
     * QuantStub, FloatFunctional, Dropout, BatchNorm2d/3d, ReLU6 and Hardswish are ops; ReLU,
     * Hardsigmoid, pooling, Flatten and Identity are not.
     *
     * @param model the float model, fused as it will be quantized
     * @param approach static, dynamic or QAT
     * @return the ops, as tune config keys
     */
    public static List<OpKey> quantizableOps(Module model, Approach approach) {
        Set<Class<? extends Module>> whiteList = approach == Approach.POST_TRAINING_DYNAMIC_QUANT
                ? QuantizationMappings.dynamicMappings(DType.QINT8).floatTypes()
                : QuantizationMappings.qconfigPropagationList();
        List<OpKey> ops = new ArrayList<>();
        walk(model, "", whiteList, ops);
        return ops;
    }

    private static void walk(Module parent, String prefix, Set<Class<? extends Module>> whiteList, List<OpKey> ops) {
        for (Map.Entry<String, Module> e : parent.namedChildren().entrySet()) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            Module child = e.getValue();
            // exact types, as LPOT's type() checks: fused modules are Sequential subclasses and ops
            Class<? extends Module> type = child.getClass();
            if (whiteList.contains(type) && type != Sequential.class && type != DeQuantStub.class) {
                ops.add(new OpKey(path, opType(child)));
            } else {
                walk(child, path, whiteList, ops);
            }
        }
    }

    /**
     * Returns the value LPOT writes for an int8 op in a trial whose activations use
     * {@code activationAlgorithm}, within the op type's capability: QuantStub has only an
     * {@code activation}, always minmax; Conv1d/2d/3d and Linear take the trial's algorithm; every
     * other type (FloatFunctional, Dropout, BatchNorm, ConvReLU1d, ...) has LPOT's default
     * capability, kl only, and a weight as well. Dynamic ops are minmax.
     *
     * @param op the op
     * @param approach the approach, whose capabilities apply
     * @param activationAlgorithm {@link Algorithm#MINMAX} or {@link Algorithm#KL}
     * @return the op's config
     */
    public static OpConfig int8(OpKey op, Approach approach, Algorithm activationAlgorithm) {
        boolean stub = op.type().equals(QuantStub.class.getSimpleName());
        List<Algorithm> allowed = approach == Approach.POST_TRAINING_DYNAMIC_QUANT ? DYNAMIC_ALGORITHMS
                : STATIC_ALGORITHMS.getOrDefault(op.type(), STATIC_DEFAULT_ALGORITHMS);
        Algorithm algorithm = allowed.contains(activationAlgorithm) ? activationAlgorithm : allowed.get(0);
        TensorConfig activation = TensorConfig.of(QuantDType.UINT8, Scheme.ASYM, Granularity.PER_TENSOR, algorithm);
        if (stub) {
            return OpConfig.of(null, activation);
        }
        TensorConfig weight = TensorConfig.of(QuantDType.INT8, Scheme.SYM, Granularity.PER_CHANNEL, Algorithm.MINMAX)
                .with(TensorConfig.BIT, WEIGHT_BIT);
        return OpConfig.of(weight, activation);
    }
}
