package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Eager-mode quantization with its tables given once: the mappings (float type to quantized
 * factory) and each module path's qconfig. {@link #prepare} and {@link #convert} are torch's
 * {@code prepare} and {@code convert}; {@link #convertInPlace} is {@code convert(..., inplace=True)},
 * so that a caller that already owns a copy of the float model does not pay for another.
 *
 * <pre>{@code
 * Quantizer q = new Quantizer(QuantizationMappings.staticMappings(), qconfigs);
 * try (Calibration c = q.prepare(fp32)) {
 *     c.observeAll(batches);
 *     return q.convert(fp32, c);
 * }
 * }</pre>
 *
 * @param mappings float type to quantized factory
 * @param qconfigs the qconfig of each module path that has one (after propagation)
 */
public record Quantizer(QuantizationMappings mappings, Map<String, QConfig> qconfigs) {
    /**
     * Creates the quantizer; the qconfigs are copied.
     *
     * @throws NullPointerException if an argument is null
     */
    public Quantizer {
        Objects.requireNonNull(mappings, "mappings");
        qconfigs = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(qconfigs, "qconfigs")));
    }

    /**
     * A quantizer that gives every module of {@code model} below its root the mappings' default qconfig, as torch's
     * {@code quantize_dynamic(model, dtype=...)} and a whole-model static {@code qconfig} do.
     *
     * @param mappings the mappings
     * @param model the float model whose module paths get the default qconfig
     * @return the quantizer
     */
    public static Quantizer everyModule(QuantizationMappings mappings, Module model) {
        Map<String, QConfig> all = new LinkedHashMap<>();
        model.namedModules().keySet().stream().filter(path -> !path.isEmpty())
                .forEach(path -> all.put(path, mappings.defaultQConfig()));
        return new Quantizer(mappings, all);
    }

    /**
     * Prepares an observed copy of {@code model} for calibration; {@code model} is not changed.
     *
     * @param model the float model (fused as it will be quantized), in eval mode
     * @return the calibration, owning the observed copy
     */
    public Calibration prepare(Module model) {
        return Calibration.prepare(model, mappings, qconfigs);
    }

    /**
     * Returns a converted deep copy of {@code model}, with placeholder output qparams where nothing
     * was observed (they come from a state dict later); {@code model} is not changed.
     *
     * @param model the float model
     * @return the converted copy, owned by the caller
     * @throws RuntimeException whatever a factory throws; the copy is then freed
     */
    public Module convert(Module model) {
        return Convert.convert(model, mappings, qconfigs::get, Map.of(), false);
    }

    /**
     * Returns a converted deep copy of {@code model} whose quantized modules take their output qparams
     * from {@code calibration}; {@code model} is not changed.
     *
     * @param model the float model (not the observed copy)
     * @param calibration the calibration run on {@link #prepare}'s copy of it
     * @return the converted copy, owned by the caller
     */
    public Module convert(Module model, Calibration calibration) {
        return Convert.convert(model, mappings, qconfigs::get, calibration.outputQParams(), false);
    }

    /**
     * Converts {@code model} itself, as {@link #convert(Module)} converts a copy.
     *
     * @param model the float model, which the caller owns; on failure it is left partly converted
     * @return {@code model}
     */
    public Module convertInPlace(Module model) {
        return Convert.convert(model, mappings, qconfigs::get, Map.of(), true);
    }

    /**
     * Converts {@code model} itself, as {@link #convert(Module, Calibration)} converts a copy.
     *
     * @param model the float model, which the caller owns; on failure it is left partly converted
     * @param calibration the calibration run on {@link #prepare}'s copy of it
     * @return {@code model}
     */
    public Module convertInPlace(Module model, Calibration calibration) {
        return Convert.convert(model, mappings, qconfigs::get, calibration.outputQParams(), true);
    }
}
