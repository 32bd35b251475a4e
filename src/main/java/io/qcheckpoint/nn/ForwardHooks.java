package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * One forward pass with hooks on chosen modules, as torch's forward hooks, which are put in for the
 * pass and taken out after it: observing a model never leaves it changed.
 */
public final class ForwardHooks {
    private static final String HOOKED = "module";

    private ForwardHooks() {
    }

    /**
     * Runs {@code input} once through {@code model} with {@code hook} around the modules at
     * {@code paths}, then puts those modules back, also when the pass fails. The hook hears a module
     * when it has run. {@code input} is not changed; the arrays the pass makes are freed. The model must
     * not run elsewhere meanwhile.
     *
     * @param model the model
     * @param paths paths of modules in it, none inside another
     * @param input the input
     * @param hook told each time a hooked module runs
     * @throws IllegalArgumentException if a path names no module
     */
    public static void run(Module model, List<String> paths, NDArray input, ForwardHook hook) {
        int hooked = 0;
        try {
            for (String path : paths) {
                model.replace(path, new Hooked(path, model.module(path), hook));
                hooked++;
            }
            try (NDManager scratch = input.getManager().newSubManager()) {
                NDArray x = input.duplicate();
                x.attach(scratch);
                model.forward(x);
            }
        } finally {
            for (String path : paths.subList(0, hooked)) {
                Module wrapper = model.module(path);
                model.replace(path, wrapper.replace(HOOKED, new Identity()));
                wrapper.close();
            }
        }
    }

    /** Tells a hook about the module it wraps each time that runs. */
    private static final class Hooked extends Module {
        private final String path;
        private final ForwardHook hook;

        Hooked(String path, Module module, ForwardHook hook) {
            this.path = path;
            this.hook = hook;
            register(HOOKED, module);
        }

        @Override
        public NDArray forward(NDArray input) {
            NDArray output = callInPlace(HOOKED, input);
            hook.ran(path, input, output);
            return output;
        }
    }
}
