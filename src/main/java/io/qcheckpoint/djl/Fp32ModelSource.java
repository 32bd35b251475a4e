package io.qcheckpoint.djl;

import io.qcheckpoint.nn.Module;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the float model a checkpoint was tuned from comes from: its TorchScript file
 * ({@link TorchScriptSource}), a {@link Module} class named in the criteria ({@link ModuleClassSource}),
 * or a source the caller passes itself.
 */
@FunctionalInterface
public interface Fp32ModelSource {
    /**
     * Creates the float model, with its float weights, in eval mode.
     *
     * @param checkpointDir the checkpoint directory the model is for
     * @return a new model, owned by the caller
     * @throws IOException if the model or its weights cannot be read or do not fit each other
     */
    Module create(Path checkpointDir) throws IOException;
}
