package io.qcheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checkpoint layouts {@link Checkpoints#load} reads, in the order auto-detection tries them.
 */
public enum CheckpointFormat {
    /** LPOT v1.2 to Neural Compressor v1.10 (and iLiT / LPOT 1.0-1.1): {@code best_configure.yaml} + {@code best_model_weights.pt}. */
    EAGER_YAML(List.of("best_configure.yaml", "best_model_weights.pt")),
    /** Neural Compressor 1.11+: one {@code best_model.pt} whose state dict holds a {@code best_configure} entry. */
    SINGLE_FILE(List.of("best_model.pt")),
    /** LPOT's IPEX backend: {@code best_configure.json}, an IPEX 1.x calibration list (needs an example input). */
    IPEX_JSON(List.of("best_configure.json"));

    private final List<String> files;

    CheckpointFormat(List<String> files) {
        this.files = files;
    }

    /** Returns the file names this format consists of. */
    public List<String> files() {
        return files;
    }

    /** Returns whether every file of this format is in {@code dir}. */
    boolean presentIn(Path dir) {
        return files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /**
     * Finds the format of the checkpoint in {@code dir}.
     *
     * @param dir the checkpoint directory
     * @return the first format whose files are all present
     * @throws CheckpointNotFoundException if none is
     */
    static CheckpointFormat detect(Path dir) throws CheckpointNotFoundException {
        for (CheckpointFormat f : values()) {
            if (f.presentIn(dir)) {
                return f;
            }
        }
        return throwNotFound(dir);
    }

    private static CheckpointFormat throwNotFound(Path dir) throws CheckpointNotFoundException {
        throw new CheckpointNotFoundException(dir, List.of("best_configure.yaml + best_model_weights.pt",
                "best_model.pt", "best_configure.json"));
    }
}
