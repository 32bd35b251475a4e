package io.qcheckpoint.lpot;

import java.util.List;

/**
 * The names of the files LPOT and Neural Compressor write into a checkpoint directory: spelled
 * here once, for the formats, the save protocol and the link check.
 */
public final class CheckpointFiles {
    /** LPOT's tune config ({@code save}: {@code best_configure.yaml}). */
    public static final String TUNE_CONFIG = "best_configure.yaml";
    /** LPOT's quantized state dict. */
    public static final String WEIGHTS = "best_model_weights.pt";
    /** Neural Compressor 1.11+: the state dict with the tune config inside. */
    public static final String SINGLE_FILE = "best_model.pt";
    /** The entry of {@link #SINGLE_FILE} that holds the tune config. */
    public static final String SINGLE_FILE_CONFIG_ENTRY = "best_configure";
    /** LPOT's IPEX backend: the IPEX 1.x calibration list. */
    public static final String IPEX_CONFIG = "best_configure.json";
    /** Every file a checkpoint of any format consists of. */
    public static final List<String> ALL = List.of(TUNE_CONFIG, WEIGHTS, SINGLE_FILE, IPEX_CONFIG);

    private CheckpointFiles() {
    }
}
