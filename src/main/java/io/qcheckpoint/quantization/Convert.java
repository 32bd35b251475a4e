package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.Module;
import java.util.ArrayList;
import java.util.Map;
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
     * Returns a converted deep copy of {@code model}; {@code model} itself is not changed.
     *
     * @param model the float model
     * @param mappings float type to quantized factory
     * @param selected which module paths to convert (torch converts modules with a qconfig)
     * @return the converted copy, in the model's training mode
     * @throws RuntimeException whatever a factory throws; the copy is then freed
     */
    public static Module convert(Module model, QuantizationMappings mappings, Predicate<String> selected) {
        Module copy = model.copy();
        try {
            swapChildren(copy, copy, "", mappings, selected);
            return copy;
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    private static void swapChildren(Module root, Module parent, String prefix, QuantizationMappings mappings,
            Predicate<String> selected) {
        for (Map.Entry<String, Module> e : new ArrayList<>(parent.namedChildren().entrySet())) {
            String path = prefix + e.getKey();
            Module child = e.getValue();
            QuantizationMappings.Factory factory = mappings.factoryFor(child.getClass());
            if (factory != null && selected.test(path)) {
                Module quantized = factory.fromFloat(child);
                quantized.train(child.isTraining());
                root.replace(path, quantized).close();
            } else {
                swapChildren(root, child, path + ".", mappings, selected);
            }
        }
    }
}
