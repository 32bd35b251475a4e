package io.qcheckpoint;

import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.quantization.Convert;
import io.qcheckpoint.quantization.Fp32Fallback;
import io.qcheckpoint.quantization.ObserverSpec;
import io.qcheckpoint.quantization.QConfig;
import io.qcheckpoint.quantization.QConfigPropagation;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds the int8 model an LPOT tune config describes, with LPOT's load semantics (FORMATS.md
 * 3.3): on a copy of the fp32 model in eval mode, per-op qconfigs, propagation, fp32 fallback
 * (static and QAT), convert with the static or dynamic mappings, then the weights.
 */
final class EagerRebuild {
    private static final Logger LOG = LoggerFactory.getLogger(EagerRebuild.class);

    /** LPOT names fused modules by the op they quantize. */
    private static final Map<String, String> UNIFIED_TYPES = Map.of("ConvReLU1d", "Conv1d", "ConvReLU2d", "Conv2d",
            "ConvReLU3d", "Conv3d", "ConvBn2d", "Conv2d", "ConvBnReLU2d", "Conv2d", "LinearReLU", "Linear");

    /** LPOT's DequantQuantWrapper observers: MinMax symmetric quint8 activations, per-channel affine qint8 weights. */
    private static final QConfig WRAPPER_QCONFIG = new QConfig(
            new ObserverSpec(ObserverSpec.Kind.MIN_MAX, DType.QUINT8, QScheme.PER_TENSOR_SYMMETRIC, false),
            new ObserverSpec(ObserverSpec.Kind.PER_CHANNEL_MIN_MAX, DType.QINT8, QScheme.PER_CHANNEL_AFFINE, false));

    private static final String NO_QCONFIG_WARNING = "None of the submodule got qconfig applied. Make sure you passed"
            + " correct configuration through `qconfig_dict` or by assigning the `.qconfig` attribute directly on submodules";

    private EagerRebuild() {
    }

    /**
     * Builds the int8 model; {@code fp32} is not changed.
     *
     * @param cfg the tune config
     * @param weights the quantized state dict
     * @param fp32 the caller's float model
     * @param strict whether missing keys are errors (unexpected keys always are)
     * @param configFile the config's file, for messages
     * @param weightsFile the weights' file, for messages
     * @return the int8 module tree, owned by the caller
     * @throws CheckpointException if the config is not one LPOT writes for eager PyTorch, names ops
     *     the model lacks, or the weights do not fit
     */
    static Module rebuild(TuneConfig cfg, StateDict weights, Module fp32, boolean strict, String configFile,
            String weightsFile) throws CheckpointException {
        Approach approach = checkSupported(cfg, configFile);
        Module model = fp32.copy();
        Module quantized = null;
        try {
            model.eval();
            checkOps(cfg, model, configFile);
            Map<String, QConfig> opConfigs = LpotQConfigs.opConfigs(cfg, approach, configFile);
            Map<String, QConfig> qconfigs = new LinkedHashMap<>(
                    QConfigPropagation.propagate(model, opConfigs, QConfig.dequantStubDefault(false)));
            boolean dynamic = approach == Approach.POST_TRAINING_DYNAMIC_QUANT;
            if (!dynamic) {
                Set<String> fallback = new HashSet<>();
                opConfigs.forEach((op, q) -> {
                    if (q == null) {
                        fallback.add(op);
                    }
                });
                Fp32Fallback.apply(model, fallback, opConfigs.keySet(), qconfigs, WRAPPER_QCONFIG);
            }
            if (qconfigs.isEmpty()) {
                LOG.warn(NO_QCONFIG_WARNING);
            }
            quantized = Convert.convert(model, dynamic ? QuantizationMappings.dynamicMappings(DType.QINT8)
                    : QuantizationMappings.staticMappings(), qconfigs);
            loadWeights(quantized, weights, strict, weightsFile);
            Module result = quantized;
            quantized = null;
            return result;
        } finally {
            model.close();
            if (quantized != null) {
                quantized.close();
            }
        }
    }

    private static Approach checkSupported(TuneConfig cfg, String file) throws CheckpointFormatException {
        Approach approach = cfg.approachKind().orElseThrow(() -> new CheckpointFormatException(file,
                "approach '" + cfg.approach() + "' is not one of post_training_static_quant,"
                        + " post_training_dynamic_quant, quant_aware_training"));
        String framework = cfg.framework().orElse("pytorch");
        if (!framework.equals("pytorch")) {
            throw new CheckpointFormatException(file, "framework '" + framework + "' is not supported; this library"
                    + " rebuilds eager-mode (framework: pytorch) checkpoints");
        }
        if (cfg.others().get("bf16_ops_list") instanceof List<?> bf16 && !bf16.isEmpty()) {
            throw new CheckpointFormatException(file, "bf16_ops_list " + bf16 + " is not supported (bfloat16 ops)");
        }
        return approach;
    }

    /** Every op the config lists must be a module of the model, of the type the config says. */
    private static void checkOps(TuneConfig cfg, Module model, String file) throws ModelMismatchException {
        Map<String, Module> modules = model.namedModules();
        List<String> problems = new ArrayList<>();
        for (OpKey op : cfg.ops().keySet()) {
            Module m = modules.get(op.name());
            if (m == null || op.name().isEmpty()) {
                problems.add("op '" + op.name() + "' (" + op.type() + ") names no module of the model");
                continue;
            }
            String type = m.getClass().getSimpleName();
            if (!UNIFIED_TYPES.getOrDefault(type, type).equals(op.type())) {
                problems.add("op '" + op.name() + "' is a " + op.type() + " in the config, a " + type + " in the model");
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelMismatchException(file + ": the tune config does not fit the model: " + String.join("; ", problems));
        }
    }

    private static void loadWeights(Module quantized, StateDict weights, boolean strict, String file)
            throws ModelMismatchException {
        try {
            var left = quantized.loadStateDict(weights, strict);
            if (!left.unexpectedKeys().isEmpty()) {
                throw new StateDictMismatchException(List.of(), left.unexpectedKeys(), List.of());
            }
        } catch (StateDictMismatchException e) {
            throw new ModelMismatchException(file + ": the weights do not fit the rebuilt model: " + e.getMessage(), e);
        }
    }
}
