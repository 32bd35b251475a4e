package io.qcheckpoint.kernels;

import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.pytorch.jni.JniUtils;

/**
 * libtorch's process-wide thread pools: {@code torch.get_num_threads} / {@code set_num_threads}
 * (intra-op: the threads one op splits its work over) and {@code get_num_interop_threads} /
 * {@code set_num_interop_threads} (inter-op: the pool that runs independent ops of a graph).
 */
public final class TorchThreads {
    private TorchThreads() {
    }

    /** Returns libtorch's intra-op thread count ({@code torch.get_num_threads()}). */
    public static int intraOp() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumThreads();
    }

    /**
     * Sets libtorch's intra-op thread count ({@code torch.set_num_threads(n)}); may be called at any
     * time and applies to ops started afterwards, on every thread.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public static void setIntraOp(int n) {
        positive(n);
        Engine.getEngine("PyTorch");
        JniUtils.setNumThreads(n);
    }

    /** Returns libtorch's inter-op thread count ({@code torch.get_num_interop_threads()}). */
    public static int interOp() {
        Engine.getEngine("PyTorch");
        return JniUtils.getNumInteropThreads();
    }

    /**
     * Sets libtorch's inter-op thread count ({@code torch.set_num_interop_threads(n)}). libtorch
     * allows this once per process, before any inter-op work has started.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     * @throws IllegalStateException if it was set before or inter-op work has already started
     */
    public static void setInterOp(int n) {
        positive(n);
        Engine.getEngine("PyTorch");
        try {
            JniUtils.setNumInteropThreads(n);
        } catch (EngineException e) {
            throw new IllegalStateException("libtorch's inter-op threads can be set only once per process, before any"
                    + " inter-op work has started (now " + JniUtils.getNumInteropThreads() + "): " + e.getMessage(), e);
        }
    }

    private static void positive(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, not " + n);
        }
    }
}
