package io.qcheckpoint.djl;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.Modules;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A float model made from a {@link Module} class found by name (a public, concrete subclass with a
 * public no-argument constructor) and a float state dict, as {@code torch.save(model.state_dict(), f)}
 * writes it.
 *
 * @param className the class's fully qualified name
 * @param loader the class loader to find it in
 * @param weights the float state dict file, or empty for {@value #WEIGHTS_FILE} in the checkpoint
 *     directory or beside it
 */
public record ModuleClassSource(String className, ClassLoader loader, Optional<Path> weights) implements Fp32ModelSource {
    /** The float weights' file name looked for when none is given. */
    public static final String WEIGHTS_FILE = "fp32_weights.pt";

    /**
     * Checks the arguments.
     *
     * @param className the class's fully qualified name
     * @param loader the class loader to find it in
     * @param weights the float state dict file, or empty to look for the default one
     */
    public ModuleClassSource {
        Objects.requireNonNull(className, "className");
        Objects.requireNonNull(loader, "loader");
        Objects.requireNonNull(weights, "weights");
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if the class is missing, not a public concrete Module, has no
     *     public no-argument constructor, or its constructor fails
     * @throws java.nio.file.NoSuchFileException if no float weights file is found
     * @throws io.qcheckpoint.nn.StateDictMismatchException if the weights do not fit the model
     */
    @Override
    public Module create(Path checkpointDir) throws IOException {
        Path file = weightsFile(checkpointDir);
        Module m = instantiate();
        try {
            m.loadStateDict(TorchFiles.readStateDict(file), true);
            m.eval();
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private Path weightsFile(Path checkpointDir) throws IOException {
        List<Path> candidates = weights.map(List::of).orElseGet(() -> {
            Path inside = checkpointDir.resolve(WEIGHTS_FILE);
            Path parent = checkpointDir.toAbsolutePath().getParent();
            return parent == null ? List.of(inside) : List.of(inside, parent.resolve(WEIGHTS_FILE));
        });
        for (Path p : candidates) {
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        throw new java.nio.file.NoSuchFileException(candidates.get(0).toString(), null,
                "no float weights for " + className + " (looked for " + candidates
                        + "); name the file with the criteria argument " + CheckpointBlocks.FP32_WEIGHTS);
    }

    private Module instantiate() {
        return Modules.newInstance(loader, className, CheckpointBlocks.FP32_MODEL);
    }
}
