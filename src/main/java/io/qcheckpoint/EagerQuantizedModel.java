package io.qcheckpoint;

import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.config.TuneConfigs;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * An eager-mode int8 model with its LPOT tune config. {@link #save} writes LPOT's two-file
 * checkpoint: {@code best_configure.yaml} (rendered as LPOT writes it) and
 * {@code best_model_weights.pt} (the module tree's state dict).
 */
public final class EagerQuantizedModel extends QuantizedModel<TuneConfig> {
    /** The tune config's file name. */
    public static final String CONFIG_FILE = "best_configure.yaml";
    /** The weights' file name. */
    public static final String WEIGHTS_FILE = "best_model_weights.pt";

    /**
     * Wraps a quantized module tree, which this model now owns.
     *
     * @param module the int8 module tree
     * @param tuneConfig the tune config it was built from
     */
    public EagerQuantizedModel(Module module, TuneConfig tuneConfig) {
        super(module, tuneConfig);
    }

    /**
     * Writes {@code best_configure.yaml} and {@code best_model_weights.pt} into {@code dir},
     * replacing a checkpoint there only once both are complete and synced.
     *
     * @param dir the checkpoint directory; created if missing; it may hold only checkpoint files
     * @throws IOException if writing fails ({@code dir} is then as it was), or {@code dir} holds other files
     */
    @Override
    public void save(Path dir) throws IOException {
        CheckpointDirectory.replace(dir, tmp -> {
            TuneConfigs.writeYaml(tuneConfig(), tmp.resolve(CONFIG_FILE));
            TorchFiles.write(tmp.resolve(WEIGHTS_FILE), module().stateDict().toOrderedDict());
        });
    }
}
