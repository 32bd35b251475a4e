package io.qcheckpoint;

import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexConfigs;
import io.qcheckpoint.nn.Module;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model quantized by LPOT's IPEX backend: the float model with its calibrated ops running in int8,
 * and the IPEX 1.x calibration list. {@link #save} writes only {@code best_configure.json}, as LPOT
 * does: the weights stay those of the float model.
 */
public final class IpexQuantizedModel extends QuantizedModel<IpexConfig> {
    /** The calibration file's name. */
    public static final String CONFIG_FILE = "best_configure.json";

    /**
     * Wraps a module tree, which this model now owns.
     *
     * @param module the float model with its quantized ops swapped in
     * @param config the calibration list it was built from
     */
    public IpexQuantizedModel(Module module, IpexConfig config) {
        super(module, config);
    }

    /**
     * Writes {@code best_configure.json} (one line, Python's separators and float spelling) into
     * {@code dir}, replacing a checkpoint there only once it is complete and synced.
     *
     * @param dir the checkpoint directory; created if missing; it may hold only checkpoint files
     * @throws IOException if writing fails ({@code dir} is then as it was), or {@code dir} holds other files
     */
    @Override
    public void save(Path dir) throws IOException {
        CheckpointDirectory.replace(dir, tmp -> IpexConfigs.writeJson(tuneConfig(), tmp.resolve(CONFIG_FILE)));
    }
}
