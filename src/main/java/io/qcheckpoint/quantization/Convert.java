package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.intrinsic.FusedModule;
import java.util.ArrayList;
import java.util.Map;
import java.util.function.Function;

/**
 * Swaps float modules for quantized ones through a {@link QuantizationMappings} table, as torch's
 * {@code convert}: a module whose exact type has a factory, and which has a qconfig, is replaced;
 * other modules are searched for children to swap. Reached through {@link Quantizer}.
 */
final class Convert {
    private Convert() {
    }

    /**
     * Converts {@code model}, or a deep copy of it.
     *
     * @param model the float model
     * @param mappings float type to quantized factory
     * @param qconfigs the qconfig of a module path, or null
     * @param outputs the observed output qparams by module path (empty: placeholders)
     * @param inplace whether to swap in {@code model} itself rather than in a copy
     * @return the converted model, in the model's training mode
     * @throws RuntimeException whatever a factory throws; a copy is then freed
     */
    static Module convert(Module model, QuantizationMappings mappings, Function<String, QConfig> qconfigs,
            Map<String, ObservedQParams> outputs, boolean inplace) {
        Module target = inplace ? model : model.copy();
        try {
            swapChildren(target, target, "", mappings, qconfigs, outputs);
            return target;
        } catch (RuntimeException e) {
            if (!inplace) {
                target.close();
            }
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
