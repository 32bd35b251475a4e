package io.qcheckpoint;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * How {@link Checkpoints#load(java.nio.file.Path, io.qcheckpoint.nn.Module, LoadOptions)} reads a
 * checkpoint: an immutable value whose {@code with*} methods return a changed copy; start from
 * {@link #defaults()}.
 *
 * <pre>{@code
 * LoadOptions.defaults().withFormat(CheckpointFormat.IPEX_JSON).withExampleInput(x)
 * }</pre>
 *
 * @param format the format to read, or null to detect it from the files present
 * @param strict whether the weights must fit the rebuilt model exactly (every key used, every key
 *     present); when false, keys the weights lack are tolerated (as Neural Compressor's fallback
 *     to {@code strict=False} does) but unexpected keys are still an error
 * @param exampleInput an input the IPEX format runs once to learn the order of the ops (unused
 *     otherwise), or null
 * @param loadThreads the most threads that pack the weights for libtorch's kernels at once, the
 *     calling thread included, or 0 for the default: the processors available to the JVM over
 *     libtorch's intra-op threads (1 under libtorch's default pool; see docs/performance.md)
 */
public record LoadOptions(CheckpointFormat format, boolean strict, NDArray exampleInput, int loadThreads) {
    private static final LoadOptions DEFAULTS = new LoadOptions(null, true, null, 0);

    /**
     * Checks the thread count.
     *
     * @throws IllegalArgumentException if {@code loadThreads} is negative
     */
    public LoadOptions {
        if (loadThreads < 0) {
            throw new IllegalArgumentException("loadThreads must be at least 1, or 0 for the default, not " + loadThreads);
        }
    }

    /** Returns the defaults: detect the format, strict, no example input, the default load threads. */
    public static LoadOptions defaults() {
        return DEFAULTS;
    }

    /**
     * Returns a copy that reads {@code f} without detecting.
     *
     * @throws NullPointerException if {@code f} is null
     */
    public LoadOptions withFormat(CheckpointFormat f) {
        return new LoadOptions(Objects.requireNonNull(f, "format"), strict, exampleInput, loadThreads);
    }

    /** Returns a copy with the given strictness. */
    public LoadOptions withStrict(boolean value) {
        return new LoadOptions(format, value, exampleInput, loadThreads);
    }

    /**
     * Returns a copy with an example input, which an IPEX checkpoint needs; the caller keeps owning it.
     *
     * @throws NullPointerException if {@code input} is null
     */
    public LoadOptions withExampleInput(NDArray input) {
        return new LoadOptions(format, strict, Objects.requireNonNull(input, "input"), loadThreads);
    }

    /**
     * Returns a copy that packs the weights on up to {@code n} threads at once (the calling thread
     * included); 1 packs them one by one on the calling thread.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public LoadOptions withLoadThreads(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("load threads must be at least 1, not " + n);
        }
        return new LoadOptions(format, strict, exampleInput, n);
    }
}
