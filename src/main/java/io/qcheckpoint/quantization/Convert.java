package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.intrinsic.FusedModule;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Swaps float modules for quantized ones through a {@link QuantizationMappings} table, as torch's
 * {@code convert}: a module whose exact type has a factory, and whose path is selected, is
 * replaced; other modules are searched for children to swap.
 */
public final class Convert {
    private Convert() {
    }

    /**
     * Returns a converted deep copy of {@code model}, giving every selected module the mappings'
     * default qconfig; {@code model} itself is not changed.
     *
     * @param model the float model
     * @param mappings float type to quantized factory
     * @param selected which module paths to convert
     * @return the converted copy, in the model's training mode
     * @throws RuntimeException whatever a factory throws; the copy is then freed
     */
    public static Module convert(Module model, QuantizationMappings mappings, Predicate<String> selected) {
        return convertWith(model, mappings, path -> selected.test(path) ? mappings.defaultQConfig() : null, Map.of());
    }

    /**
     * Returns a converted deep copy of {@code model}: modules with a qconfig whose exact type has a
     * factory are swapped, as torch's {@code convert} swaps modules that carry a qconfig;
     * {@code model} itself is not changed.
     *
     * @param model the float model
     * @param mappings float type to quantized factory
     * @param qconfigs the qconfig of each module path that has one
     * @return the converted copy, in the model's training mode
     * @throws RuntimeException whatever a factory throws; the copy is then freed
     */
    public static Module convert(Module model, QuantizationMappings mappings, Map<String, QConfig> qconfigs) {
        return convertWith(model, mappings, qconfigs::get, Map.of());
    }

    /**
     * Returns a converted deep copy of {@code model} whose quantized modules take their output
     * qparams from calibration, as torch's {@code convert} after {@code prepare} and calibration.
     *
     * @param model the float model (not the observed copy)
     * @param mappings float type to quantized factory
     * @param qconfigs the qconfig of each module path that has one
     * @param outputs the output qparams {@link Calibration} computed, by module path
     * @return the converted copy
     */
    public static Module convert(Module model, QuantizationMappings mappings, Map<String, QConfig> qconfigs,
            Map<String, ObservedQParams> outputs) {
        return convertWith(model, mappings, qconfigs::get, outputs);
    }

    private static Module convertWith(Module model, QuantizationMappings mappings, Function<String, QConfig> qconfigs,
            Map<String, ObservedQParams> outputs) {
        Module copy = model.copy();
        try {
            swapChildren(copy, copy, "", mappings, qconfigs, outputs);
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    private static void swapChildren(Module root, Module parent, String prefix, QuantizationMappings mappings,
            Function<String, QConfig> qconfigs, Map<String, ObservedQParams> outputs) {
        for (Map.Entry<String, Module> e : new ArrayList<>(parent.namedChildren().entrySet())) {
            String path = prefix + e.getKey();
            Module child = e.getValue();
            QuantizationMappings.Factory factory = mappings.factoryFor(child.getClass());
            QConfig qconfig = factory == null ? null : qconfigs.apply(path);
            if (qconfig != null) {
                Module quantized = factory.fromFloat(child, qconfig, outputs.get(path));
                quantized.train(child.isTraining());
                root.replace(path, quantized).close();
            } else if (!(child instanceof FusedModule)) {
                // as torch's _convert: a fused module is one op, converted whole or left float
                swapChildren(root, child, path + ".", mappings, qconfigs, outputs);
            }
        }
    }
}
