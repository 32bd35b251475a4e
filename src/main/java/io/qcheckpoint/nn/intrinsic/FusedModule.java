package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.Sequential;

/**
 * A run of modules fusion joined into one, as torch's {@code nn.intrinsic._FusedModule}: a
 * {@link Sequential} whose children keep their names ({@code "0"}, {@code "1"}, ...) and state-dict
 * keys; quantization treats it as one op. Each subclass accepts exactly torch's module types.
 */
public abstract class FusedModule extends Sequential {
    /**
     * Creates the fused module.
     *
     * @param modules the modules, in order, now owned by this one
     */
    protected FusedModule(Module... modules) {
        super(modules);
    }

    /**
     * Checks that {@code m} is exactly of class {@code type}, as torch's fused constructors assert.
     *
     * @param m the module
     * @param type its required class (subclasses do not qualify, as in torch)
     * @param <T> that class
     * @return the module as that class
     * @throws IllegalArgumentException if the class differs
     */
    protected static <T extends Module> T exactly(Module m, Class<T> type) {
        if (m == null || m.getClass() != type) {
            throw new IllegalArgumentException("incorrect types for fusion: expected " + type.getSimpleName() + ", got "
                    + (m == null ? "null" : m.getClass().getSimpleName()));
        }
        return type.cast(m);
    }
}
