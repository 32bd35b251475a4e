package io.qcheckpoint;

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

/**
 * The ops LPOT 1.x tunes in an eager PyTorch model, named as its tune config names them
 * ({@code PyTorchAdaptor._get_quantizable_ops_recursively}), and the per-op values it writes for
 * them (its {@code pytorch_cpu.yaml} capabilities: uint8 asymmetric per-tensor activations,
 * per-channel symmetric int8 weights with {@code bit: 7.0}).
 */
public final class LpotOps {
    /** LPOT names fused modules by the op they quantize. */
    private static final Map<String, String> UNIFIED_TYPES = Map.of("ConvReLU1d", "Conv1d", "ConvReLU2d", "Conv2d",
            "ConvReLU3d", "Conv3d", "ConvBn2d", "Conv2d", "ConvBnReLU2d", "Conv2d", "LinearReLU", "Linear");
    /** What LPOT writes as the bit width of an int8 weight. */
    private static final double WEIGHT_BIT = 7.0;

    private LpotOps() {
    }

    /**
     * Returns the op type LPOT writes for a module: its class name, fused types unified
     * ({@code ConvReLU2d} is a {@code Conv2d}, {@code LinearReLU} a {@code Linear}).
     *
     * @param module the module
     * @return the op type
     */
    public static String opType(Module module) {
        String type = module.getClass().getSimpleName();
        return UNIFIED_TYPES.getOrDefault(type, type);
    }

    /**
     * Lists the ops LPOT would tune, in model order: a depth-first walk of the children where a
     * module with a quantized counterpart for the approach (not Sequential, not DeQuantStub) is an
     * op and is not descended into.
     *
     * @param model the float model, fused as it will be quantized
     * @param approach static, dynamic or QAT
     * @return the ops, as tune config keys
     */
    public static List<OpKey> quantizableOps(Module model, Approach approach) {
        QuantizationMappings mappings = approach == Approach.POST_TRAINING_DYNAMIC_QUANT
                ? QuantizationMappings.dynamicMappings(DType.QINT8) : QuantizationMappings.staticMappings();
        List<OpKey> ops = new ArrayList<>();
        walk(model, "", mappings, ops);
        return ops;
    }

    private static void walk(Module parent, String prefix, QuantizationMappings mappings, List<OpKey> ops) {
        for (Map.Entry<String, Module> e : parent.namedChildren().entrySet()) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            Module child = e.getValue();
            // exactly Sequential, as LPOT's type check: fused modules are Sequential subclasses and ops
            boolean op = mappings.factoryFor(child.getClass()) != null && child.getClass() != Sequential.class
                    && !(child instanceof DeQuantStub);
            if (op) {
                ops.add(new OpKey(path, opType(child)));
            } else {
                walk(child, path, mappings, ops);
            }
        }
    }

    /**
     * Returns the value LPOT writes for an int8 op: QuantStub only {@code activation}; any other op
     * also a per-channel symmetric int8 {@code weight} (FloatFunctional included, as LPOT does).
     *
     * @param op the op
     * @param activationAlgorithm {@link Algorithm#MINMAX} or {@link Algorithm#KL}; QuantStub is always minmax
     * @return the op's config
     */
    public static OpConfig int8(OpKey op, Algorithm activationAlgorithm) {
        boolean stub = op.type().equals(QuantStub.class.getSimpleName());
        TensorConfig activation = TensorConfig.of(QuantDType.UINT8, Scheme.ASYM, Granularity.PER_TENSOR,
                stub ? Algorithm.MINMAX : activationAlgorithm);
        if (stub) {
            return OpConfig.of(null, activation);
        }
        TensorConfig weight = TensorConfig.of(QuantDType.INT8, Scheme.SYM, Granularity.PER_CHANNEL, Algorithm.MINMAX)
                .with(TensorConfig.BIT, WEIGHT_BIT);
        return OpConfig.of(weight, activation);
    }
}
