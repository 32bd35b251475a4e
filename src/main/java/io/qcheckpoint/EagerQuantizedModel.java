package io.qcheckpoint;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.config.TuneConfigs;
import io.qcheckpoint.lpot.CheckpointDirectory;
import io.qcheckpoint.lpot.CheckpointFiles;
import io.qcheckpoint.lpot.CpuInfo;
import io.qcheckpoint.lpot.EagerRebuild;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.CheckpointException;
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
    public static final String CONFIG_FILE = CheckpointFiles.TUNE_CONFIG;
    /** The weights' file name. */
    public static final String WEIGHTS_FILE = CheckpointFiles.WEIGHTS;

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
     * Builds the int8 model a tune config describes from a float model, as LPOT's
     * {@code quantize(tune_cfg, model, dataloader)}: a copy of the model gets the config's
     * qconfigs and fp32 fallbacks, is calibrated on every batch of {@code calibration} (static and
     * QAT approaches; dynamic ones need no data), and is converted. Saving the result and loading it
     * with {@link Checkpoints#load} gives the same model. {@code fp32} is not changed. Asymmetric
     * activation observers reduce their range as LPOT's do on this CPU ({@link CpuInfo#lpotReduceRange()}).
     *
     * @param tuneConfig the tune config, e.g. one {@link io.qcheckpoint.lpot.LpotOps} helped to write
     * @param fp32 the float model, fused as it will be quantized, with its weights
     * @param calibration the calibration inputs; ignored by the dynamic approach
     * @return the int8 model, owned by the caller
     * @throws io.qcheckpoint.nn.ModelMismatchException if the config names ops the model lacks
     * @throws io.qcheckpoint.pt.CheckpointFormatException if the config is not one LPOT writes for eager PyTorch
     */
    public static EagerQuantizedModel quantize(TuneConfig tuneConfig, Module fp32, Iterable<NDArray> calibration)
            throws CheckpointException {
        return quantize(tuneConfig, fp32, calibration, CpuInfo.lpotReduceRange());
    }

    /**
     * Builds the int8 model a tune config describes, as {@link #quantize(TuneConfig, Module, Iterable)},
     * with LPOT's {@code REDUCE_RANGE} given: when true, asymmetric observers (activations, as LPOT
     * writes them) quantize to 7 bits (quint8 0..127), as LPOT does on a CPU without VNNI.
     *
     * @param tuneConfig the tune config
     * @param fp32 the float model, fused as it will be quantized, with its weights
     * @param calibration the calibration inputs; ignored by the dynamic approach
     * @param reduceRange LPOT's {@code REDUCE_RANGE}
     * @return the int8 model, owned by the caller
     * @throws io.qcheckpoint.nn.ModelMismatchException if the config names ops the model lacks
     * @throws io.qcheckpoint.pt.CheckpointFormatException if the config is not one LPOT writes for eager PyTorch
     */
    public static EagerQuantizedModel quantize(TuneConfig tuneConfig, Module fp32, Iterable<NDArray> calibration,
            boolean reduceRange) throws CheckpointException {
        Module int8 = EagerRebuild.quantize(tuneConfig, fp32, calibration, reduceRange, "tune config");
        return new EagerQuantizedModel(int8, tuneConfig);
    }

    /**
     * Writes {@code best_configure.yaml} and {@code best_model_weights.pt} into {@code dir},
     * replacing a checkpoint there only once both are complete and synced (unless the options
     * ask for a non-atomic save).
     *
     * @param dir the checkpoint directory; created, with the folders above it, if missing; it may hold
     *     only checkpoint files
     * @param options whether the save is atomic ({@link SaveOptions#atomic()})
     * @throws java.nio.file.FileSystemException if the file system refuses; it names {@code dir}
     * @throws java.nio.file.AtomicMoveNotSupportedException if an atomic save is asked of a file
     *     system that cannot rename a folder with its files; nothing was changed
     * @throws IOException if writing fails ({@code dir} is then as it was), or {@code dir} holds other files
     */
    @Override
    public void save(Path dir, SaveOptions options) throws IOException {
        CheckpointDirectory.replace(dir, options.atomic(), tmp -> {
            TuneConfigs.writeYaml(tuneConfig(), tmp.resolve(CONFIG_FILE));
            TorchFiles.write(tmp.resolve(WEIGHTS_FILE), module().stateDict().toOrderedDict());
        });
    }
}
