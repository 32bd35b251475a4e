package io.qcheckpoint;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexConfigs;
import io.qcheckpoint.config.IpexRunnable;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.config.TuneConfigs;
import io.qcheckpoint.ipex.IpexRebuild;
import io.qcheckpoint.lpot.CheckpointDirectory;
import io.qcheckpoint.lpot.CheckpointFiles;
import io.qcheckpoint.lpot.EagerRebuild;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads LPOT / Neural Compressor checkpoints onto a float model: the entry point of the library.
 *
 * <pre>{@code
 * try (QuantizedModel<?> int8 = Checkpoints.load(Path.of("checkpoint"), new MyNet())) {
 *     NDArray y = int8.forward(x);
 * }
 * }</pre>
 *
 * The caller's float model is never changed: the int8 model is built on a deep copy. Loading never
 * runs anything a checkpoint contains.
 */
public final class Checkpoints {
    /** The entry of a Neural Compressor 1.11+ {@code best_model.pt} that holds the tune config. */
    private static final String BEST_CONFIGURE = CheckpointFiles.SINGLE_FILE_CONFIG_ENTRY;

    private Checkpoints() {
    }

    /**
     * Loads the checkpoint in {@code dir}, detecting its format, strictly.
     *
     * @param dir the checkpoint directory
     * @param fp32Model the float model the checkpoint was tuned from (for LPOT's fused static and
     *     QAT checkpoints: fused as it was before tuning); not changed
     * @return the int8 model, owned by the caller
     * @throws CheckpointNotFoundException if {@code dir} holds no checkpoint, or only some files of one
     *     (the message names those missing)
     * @throws CheckpointFormatException if a file is malformed, or says something LPOT does not write
     * @throws io.qcheckpoint.pt.UnsafeCheckpointException if a file asks to run or build anything outside the
     *     allowlists, or is a symbolic link out of {@code dir}
     * @throws io.qcheckpoint.nn.ModelMismatchException if the config or the weights do not fit the model
     * @throws IOException if reading fails, or a save of {@code dir} that a killed process left half
     *     done cannot be finished (see docs/checkpoint-format.md)
     */
    public static QuantizedModel<?> load(Path dir, Module fp32Model) throws IOException {
        return load(dir, fp32Model, LoadOptions.defaults());
    }

    /**
     * Loads the checkpoint in {@code dir} with options.
     *
     * @param dir the checkpoint directory
     * @param fp32Model the float model; not changed
     * @param options format, strictness, example input
     * @return the int8 model, owned by the caller
     * @throws CheckpointNotFoundException if the format's files are missing
     * @throws CheckpointFormatException if a file is malformed
     * @throws io.qcheckpoint.nn.ModelMismatchException if the config or the weights do not fit the model
     * @throws IOException if reading fails
     * @throws IllegalArgumentException if the checkpoint is IPEX's and the options give no example input
     */
    public static QuantizedModel<?> load(Path dir, Module fp32Model, LoadOptions options) throws IOException {
        CheckpointDirectory.recover(dir);
        if (!Files.isDirectory(dir)) {
            throw new CheckpointNotFoundException(dir, CheckpointFormat.EAGER_YAML.files());
        }
        CheckpointFormat format = options.format();
        if (format == null) {
            format = CheckpointFormat.detect(dir);
        } else {
            CheckpointFormat.requireLinksInside(dir);
            if (!format.presentIn(dir)) {
                throw format.missingIn(dir);
            }
        }
        return switch (format) {
            case EAGER_YAML -> loadTwoFiles(dir, fp32Model, options);
            case SINGLE_FILE -> loadSingleFile(dir, fp32Model, options);
            case IPEX_JSON -> loadIpex(dir, fp32Model, options);
        };
    }

    /**
     * Reads only the tune config of the eager checkpoint in {@code dir} (two-file YAML or
     * single-file {@code best_model.pt}), for inspection.
     *
     * @param dir the checkpoint directory
     * @return the tune config
     * @throws CheckpointNotFoundException if {@code dir} holds no eager checkpoint, or only some of its files
     * @throws CheckpointFormatException if the config is malformed
     * @throws IOException if reading fails
     */
    public static TuneConfig readTuneConfig(Path dir) throws IOException {
        List<String> eager = List.of(String.join(" + ", CheckpointFormat.EAGER_YAML.files()),
                CheckpointFormat.SINGLE_FILE.files().get(0));
        CheckpointDirectory.recover(dir);
        if (!Files.isDirectory(dir)) {
            throw new CheckpointNotFoundException(dir, eager);
        }
        CheckpointFormat format = CheckpointFormat.detect(dir);
        return switch (format) {
            case EAGER_YAML -> TuneConfigs.readYaml(dir.resolve(EagerQuantizedModel.CONFIG_FILE));
            case SINGLE_FILE -> {
                Path file = dir.resolve(format.files().get(0));
                yield TuneConfig.fromMap(configEntry(file, TorchFiles.read(file).root()), file + " [" + BEST_CONFIGURE + "]");
            }
            case IPEX_JSON -> throw new CheckpointNotFoundException(dir, dir + ": holds an IPEX checkpoint ("
                    + IpexQuantizedModel.CONFIG_FILE + "), which has no tune config; read it with IpexConfigs.readJson", eager);
        };
    }

    private static EagerQuantizedModel loadTwoFiles(Path dir, Module fp32, LoadOptions options) throws IOException {
        Path configFile = dir.resolve(EagerQuantizedModel.CONFIG_FILE);
        Path weightsFile = dir.resolve(EagerQuantizedModel.WEIGHTS_FILE);
        TuneConfig cfg = TuneConfigs.readYaml(configFile);
        StateDict weights = TorchFiles.readStateDict(weightsFile);
        Module int8 = EagerRebuild.rebuild(cfg, weights, fp32, options.strict(), options.loadThreads(),
                configFile.toString(), weightsFile.toString());
        return new EagerQuantizedModel(int8, cfg);
    }

    private static IpexQuantizedModel loadIpex(Path dir, Module fp32, LoadOptions options) throws IOException {
        Path file = dir.resolve(IpexQuantizedModel.CONFIG_FILE);
        NDArray example = options.exampleInput();
        if (example == null) {
            throw new IllegalArgumentException(file
                    + " is an IPEX checkpoint: loading it needs an example input (LoadOptions.withExampleInput)");
        }
        IpexConfig cfg = IpexConfigs.readJson(file);
        IpexRunnable.check(cfg, file.toString());
        return new IpexQuantizedModel(IpexRebuild.rebuild(cfg, fp32, example, file.toString()), cfg);
    }

    private static Map<?, ?> configEntry(Path file, Object root) throws CheckpointFormatException {
        if (root instanceof Map<?, ?> m && m.get(BEST_CONFIGURE) instanceof Map<?, ?> cfg) {
            return cfg;
        }
        throw new CheckpointFormatException(file.toString(), "holds no '" + BEST_CONFIGURE
                + "' entry (a dict): not a Neural Compressor checkpoint");
    }

    /** Neural Compressor 1.11+: the state dict holds the tune config under {@code best_configure}. */
    private static EagerQuantizedModel loadSingleFile(Path dir, Module fp32, LoadOptions options) throws IOException {
        Path file = dir.resolve(CheckpointFormat.SINGLE_FILE.files().get(0));
        TorchFile tf = TorchFiles.read(file);
        TuneConfig cfg = TuneConfig.fromMap(configEntry(file, tf.root()), file + " [" + BEST_CONFIGURE + "]");
        StateDict all = StateDict.fromPickled(tf.root(), file.toString());
        StateDict weights = new StateDict();
        all.entries().forEach((k, v) -> {
            if (!k.equals(BEST_CONFIGURE)) {
                weights.put(k, v);
            }
        });
        all.metadata().forEach(weights::putMetadata);
        Module int8 = EagerRebuild.rebuild(cfg, weights, fp32, options.strict(), options.loadThreads(),
                file.toString(), file.toString());
        return new EagerQuantizedModel(int8, cfg);
    }
}
