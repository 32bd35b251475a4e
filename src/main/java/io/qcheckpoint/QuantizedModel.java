package io.qcheckpoint;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.qcheckpoint.lpot.CheckpointDirectory;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A tuned int8 model: the quantized module tree and what it was tuned with. Serve it with
 * {@link #forward}; save it with {@link #save}. Owns the module tree: {@link #close} frees it.
 *
 * @param <C> the tune config type of the checkpoint format
 */
public abstract sealed class QuantizedModel<C> implements AutoCloseable permits EagerQuantizedModel, IpexQuantizedModel {
    private final Module module;
    private final C tuneConfig;

    /**
     * Wraps a quantized module tree, which this model now owns.
     *
     * @param module the int8 module tree
     * @param tuneConfig what it was tuned with
     */
    protected QuantizedModel(Module module, C tuneConfig) {
        this.module = Objects.requireNonNull(module, "module");
        this.tuneConfig = Objects.requireNonNull(tuneConfig, "tuneConfig");
    }

    /** Returns the int8 module tree (owned by this model). */
    public Module module() {
        return module;
    }

    /** Returns the tune config. */
    public C tuneConfig() {
        return tuneConfig;
    }

    /**
     * Runs the model: float in, float out; thread-safe.
     *
     * @param input the float32 input
     * @return the output, owned by the input's manager
     * @throws ForwardException if the input does not fit a module: the message names the module's
     *     path (e.g. {@code layer1.0.conv1}), what it takes and what came
     */
    public NDArray forward(NDArray input) {
        return forward(new NDList(input));
    }

    /**
     * Runs a model of several inputs (an imported BERT-style model's {@code input_ids, attention_mask}),
     * in the order of its {@code forward} parameters; thread-safe.
     *
     * @param inputs the inputs
     * @return the output, owned by the first input's manager
     * @throws ForwardException if the model takes another number of inputs, or an input does not fit a
     *     module: the message names the module's path, what it takes and what came
     */
    public NDArray forward(NDList inputs) {
        try {
            return module.forward(inputs);
        } catch (EngineException e) {
            // failed in the root's own forward, outside any child: the model itself refused it
            throw ForwardException.refused(module, e);
        }
    }

    /**
     * Writes the checkpoint into {@code dir}, atomically: a crash leaves the old checkpoint or the
     * new one, never part of one. {@code dir} may be on any file system that can rename a folder
     * with its files (the default one, an in-memory one, ...).
     *
     * @param dir the checkpoint directory; it and the folders above it are created if missing
     * @throws java.nio.file.AtomicMoveNotSupportedException if the file system of {@code dir} cannot
     *     rename a folder with its files (the JDK's zip file system): nothing was changed; see
     *     {@link SaveOptions#atomic()}
     * @throws java.nio.file.FileSystemException if the file system refuses (permission denied, a file
     *     where a folder should be, ...): it names {@code dir}, never the temporary folder beside it
     * @throws IOException if writing fails, or {@code dir} holds files that are not a checkpoint's;
     *     {@code dir} is then as it was
     */
    public void save(Path dir) throws IOException {
        save(dir, SaveOptions.defaults());
    }

    /**
     * Writes the checkpoint into {@code dir} as {@code options} say.
     *
     * @param dir the checkpoint directory; it and the folders above it are created if missing
     * @param options whether the save is atomic
     * @throws java.nio.file.AtomicMoveNotSupportedException if an atomic save is asked of a file
     *     system that cannot rename a folder with its files; nothing was changed
     * @throws IOException if writing fails, or {@code dir} holds files that are not a checkpoint's
     */
    public abstract void save(Path dir, SaveOptions options) throws IOException;

    /**
     * Checks, without writing anything, that {@link #save} can write a checkpoint at {@code dir}: the
     * nearest existing folder at or above it is writable, and {@code dir}, if it exists, is a
     * directory holding only checkpoint files. Call it before long work whose result goes there
     * (tuning), so that a bad path fails at once rather than after the work.
     *
     * @param dir the checkpoint directory to be written
     * @throws java.nio.file.FileSystemException if {@code dir} or a path above it is a file, or the
     *     folder it goes in is not writable; the message names {@code dir}
     * @throws IOException if {@code dir} holds files that are not a checkpoint's
     */
    public static void checkSavable(Path dir) throws IOException {
        CheckpointDirectory.check(dir);
    }

    @Override
    public void close() {
        module.close();
    }
}
