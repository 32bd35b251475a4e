package io.qcheckpoint;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * How {@link Checkpoints#load(java.nio.file.Path, io.qcheckpoint.nn.Module, LoadOptions)} reads a
 * checkpoint. Immutable; start from {@link #defaults()}.
 *
 * @param format the format to read, or empty to detect it from the files present
 * @param strict whether the weights must fit the rebuilt model exactly (every key used, every key
 *     present); when false, keys the weights lack are tolerated (as Neural Compressor's fallback
 *     to {@code strict=False} does) but unexpected keys are still an error
 * @param exampleInput an input the IPEX format runs once to learn the order of the ops (unused otherwise)
 */
public record LoadOptions(Optional<CheckpointFormat> format, boolean strict, Optional<NDArray> exampleInput) {
    /** Returns the defaults: detect the format, strict. */
    public static LoadOptions defaults() {
        return new LoadOptions(Optional.empty(), true, Optional.empty());
    }

    /** Returns a copy that reads {@code f} without detecting. */
    public LoadOptions withFormat(CheckpointFormat f) {
        return new LoadOptions(Optional.of(f), strict, exampleInput);
    }

    /** Returns a copy with the given strictness. */
    public LoadOptions withStrict(boolean value) {
        return new LoadOptions(format, value, exampleInput);
    }

    /** Returns a copy with an example input (needed for the IPEX format). */
    public LoadOptions withExampleInput(NDArray input) {
        return new LoadOptions(format, strict, Optional.of(input));
    }
}
