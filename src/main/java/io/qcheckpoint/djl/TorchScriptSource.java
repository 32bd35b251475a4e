package io.qcheckpoint.djl;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A float model imported from its TorchScript file ({@code torch.jit.save} of the traced or scripted
 * fused model), weights included: no model code ({@link TorchScriptModels#load}).
 *
 * @param file the TorchScript file
 */
public record TorchScriptSource(Path file) implements Fp32ModelSource {
    /**
     * Checks the argument.
     *
     * @param file the TorchScript file
     */
    public TorchScriptSource {
        Objects.requireNonNull(file, "file");
    }

    /**
     * {@inheritDoc}
     *
     * @throws io.qcheckpoint.pt.CheckpointException if the file is not a TorchScript archive QCheckpoint
     *     imports (see {@link TorchScriptModels#load})
     */
    @Override
    public Module create(Path checkpointDir) throws IOException {
        return TorchScriptModels.load(file).eval();
    }
}
