package io.qcheckpoint.kernels;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.nio.file.Path;

/**
 * A TorchScript archive that {@code torch.jit.save} wrote, loaded into libtorch for inference (a
 * reference to compare the library's own module trees with). Owns the native module: close it.
 */
public final class TorchScriptModule implements AutoCloseable {
    private final PtNDManager manager;
    private final PtSymbolBlock block;

    private TorchScriptModule(PtNDManager manager, PtSymbolBlock block) {
        this.manager = manager;
        this.block = block;
    }

    /**
     * Loads {@code file} on the CPU in inference mode.
     *
     * @param file the archive, on the default file system
     * @return the module, owned by the caller
     * @throws ai.djl.engine.EngineException if libtorch cannot load it
     */
    public static TorchScriptModule load(Path file) {
        PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
        try {
            PtSymbolBlock block = JniUtils.loadModule(manager, file.toAbsolutePath(), true, new String[0],
                    new String[0], false);
            JniUtils.enableInferenceMode(block);
            return new TorchScriptModule(manager, block);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Runs the module's {@code forward} on one input.
     *
     * @param input the input
     * @return the single output
     */
    public NDArray forward(NDArray input) {
        // isTrain=false: DJL runs the method under NoGradGuard, as torch.no_grad() in Python
        return IValueUtils.forward(block, new NDList(input), false).singletonOrThrow();
    }

    /** Frees the native module. */
    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
