package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;

/**
 * Told a module's input and output each time it runs, as a hook from torch's
 * {@code register_forward_hook}; see {@link ForwardHooks#run}.
 */
@FunctionalInterface
public interface ForwardHook {
    /**
     * A hooked module ran.
     *
     * @param path the module's path in the hooked model
     * @param input its input, valid only during the call
     * @param output its output, valid only during the call
     */
    void ran(String path, NDArray input, NDArray output);
}
