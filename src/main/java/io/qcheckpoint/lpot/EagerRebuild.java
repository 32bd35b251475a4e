package io.qcheckpoint.lpot;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.quantization.Calibration;
import io.qcheckpoint.quantization.Fp32Fallback;
import io.qcheckpoint.quantization.ObserverSpec;
import io.qcheckpoint.quantization.QConfig;
import io.qcheckpoint.quantization.QConfigPropagation;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
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
public final class EagerRebuild {
    private static final Logger LOG = LoggerFactory.getLogger(EagerRebuild.class);

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
     * @param loadThreads the most threads that pack the weights at once, or 0 for the default of
     *     {@link Module#loadStateDict(StateDict, boolean)}
     * @param configFile the config's file, for messages
     * @param weightsFile the weights' file, for messages
     * @return the int8 module tree, owned by the caller
     * @throws CheckpointException if the config is not one LPOT writes for eager PyTorch, names ops
     *     the model lacks, or the weights do not fit
     */
    public static Module rebuild(TuneConfig cfg, StateDict weights, Module fp32, boolean strict, int loadThreads,
            String configFile, String weightsFile) throws CheckpointException {
        // the observers never see data here (every qparam comes from the weights): REDUCE_RANGE does not matter.
        // A strict load replaces every array of the model, so the copy holds views of the fp32 arrays rather
        // than copies of weights the state dict then replaces; a view still held afterwards is copied.
        Prepared p = prepare(cfg, strict ? fp32.shallowCopy() : fp32.copy(), false, configFile);
        try {
            // the prepared copy is ours: convert it in place rather than copy the model again
            Module quantized = p.quantizer().convertInPlace(p.model());
            loadWeights(quantized, weights, strict, loadThreads, weightsFile);
            return quantized.ownArrays();
        } catch (CheckpointException | RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * Builds the int8 model a tune config describes from the float model, as LPOT's
     * {@code quantize(tune_cfg, model, dataloader)}: static and QAT configs are calibrated on
     * {@code calibration} (every batch), dynamic ones need no data. {@code fp32} is not changed.
     *
     * @param cfg the tune config
     * @param fp32 the float model
     * @param calibration the calibration inputs (static and QAT approaches)
     * @param reduceRange LPOT's {@code REDUCE_RANGE}: asymmetric activation observers quantize to 7 bits
     * @param source what to call the config in messages
     * @return the int8 module tree, owned by the caller
     * @throws CheckpointException if the config is not one LPOT writes for eager PyTorch, or names
     *     ops the model lacks
     */
    public static Module quantize(TuneConfig cfg, Module fp32, Iterable<NDArray> calibration, boolean reduceRange,
            String source) throws CheckpointException {
        Prepared p = prepare(cfg, fp32.copy(), reduceRange, source);
        try {
            if (p.dynamic()) {
                return p.quantizer().convertInPlace(p.model());
            }
            try (Calibration c = p.quantizer().prepare(p.model())) {
                c.observeAll(calibration);
                return p.quantizer().convertInPlace(p.model(), c);
            }
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /**
     * LPOT's steps before convert on {@code model}, a copy of the fp32 model that this method owns
     * from now on: eval mode, per-op qconfigs, propagation, fp32 fallback (static and QAT).
     */
    private static Prepared prepare(TuneConfig cfg, Module model, boolean reduceRange, String configFile)
            throws CheckpointException {
        try {
            Approach approach = checkSupported(cfg, configFile);
            model.eval();
            boolean dynamic = approach == Approach.POST_TRAINING_DYNAMIC_QUANT;
            QuantizationMappings mappings = dynamic ? QuantizationMappings.dynamicMappings(DType.QINT8)
                    : QuantizationMappings.staticMappings();
            checkOps(cfg, model, mappings, configFile);
            Map<String, QConfig> opConfigs = LpotQConfigs.opConfigs(cfg, approach, reduceRange, configFile);
            Map<String, QConfig> qconfigs = new LinkedHashMap<>(
                    QConfigPropagation.propagate(model, opConfigs, QConfig.dequantStubDefault(reduceRange)));
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
            return new Prepared(model, new Quantizer(mappings, qconfigs), dynamic);
        } catch (CheckpointException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** The prepared copy, which this record owns until it is converted in place, and its quantizer. */
    private record Prepared(Module model, Quantizer quantizer, boolean dynamic) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
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

    /**
     * Every op the config lists must be a module of the model, of the type the config says; an int8
     * op must be one the mappings convert (LPOT lists a ConvBn2d fused for training, which torch's
     * static mappings do not convert: it would stay float behind a quantized input).
     */
    private static void checkOps(TuneConfig cfg, Module model, QuantizationMappings mappings, String file)
            throws CheckpointException {
        Map<String, Module> modules = model.namedModules();
        List<String> problems = new ArrayList<>();
        for (OpKey op : cfg.ops().keySet()) {
            Module m = modules.get(op.name());
            if (m == null || op.name().isEmpty()) {
                problems.add("op '" + op.name() + "' (" + op.type() + ") names no module of the model");
                continue;
            }
            String type = LpotOps.opType(m);
            if (!type.equals(op.type())) {
                problems.add("op '" + op.name() + "' is a " + op.type() + " in the config, a "
                        + m.typeName() + " in the model");
            } else if (!cfg.ops().get(op).isFp32() && mappings.factoryFor(m.getClass()) == null) {
                throw new CheckpointFormatException(file, "op '" + op.name() + "' (" + m.typeName()
                        + ") is int8 in the config, but this library has no quantized " + m.typeName()
                        + " for " + cfg.approach() + "; give it fp32 (dtype: fp32) in the config");
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelMismatchException(file, "the tune config does not fit the model: " + String.join("; ", problems));
        }
    }

    private static void loadWeights(Module quantized, StateDict weights, boolean strict, int threads, String file)
            throws ModelMismatchException {
        try {
            var left = threads == 0 ? quantized.loadStateDict(weights, strict)
                    : quantized.loadStateDict(weights, strict, threads);
            if (!left.unexpectedKeys().isEmpty()) {
                throw new StateDictMismatchException(List.of(), left.unexpectedKeys(), List.of());
            }
        } catch (StateDictMismatchException e) {
            throw new ModelMismatchException(file, "the weights do not fit the rebuilt model: " + e.getMessage(), e);
        }
    }
}
