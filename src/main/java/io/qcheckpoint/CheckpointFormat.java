package io.qcheckpoint;

import io.qcheckpoint.lpot.CheckpointFiles;
import io.qcheckpoint.lpot.CheckpointLinks;
import io.qcheckpoint.pt.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The checkpoint layouts {@link Checkpoints#load} reads, in the order auto-detection tries them.
 */
public enum CheckpointFormat {
    /** LPOT v1.2 to Neural Compressor v1.10 (and iLiT / LPOT 1.0-1.1): {@code best_configure.yaml} + {@code best_model_weights.pt}. */
    EAGER_YAML("LPOT", List.of(CheckpointFiles.TUNE_CONFIG, CheckpointFiles.WEIGHTS)),
    /** Neural Compressor 1.11+: one {@code best_model.pt} whose state dict holds a {@code best_configure} entry. */
    SINGLE_FILE("Neural Compressor", List.of(CheckpointFiles.SINGLE_FILE)),
    /** LPOT's IPEX backend: {@code best_configure.json}, an IPEX 1.x calibration list (needs an example input). */
    IPEX_JSON("IPEX", List.of(CheckpointFiles.IPEX_CONFIG));

    private final String label;
    private final List<String> files;

    CheckpointFormat(String label, List<String> files) {
        this.label = label;
        this.files = files;
    }

    /** Returns the file names this format consists of. */
    public List<String> files() {
        return files;
    }

    /** Returns the name of the tool whose checkpoints have this layout, for messages: LPOT, Neural Compressor, IPEX. */
    public String label() {
        return label;
    }

    /**
     * Refuses checkpoint files in {@code dir} that are symbolic links out of it ({@link CheckpointLinks}).
     *
     * @param dir the checkpoint directory
     * @throws CheckpointException (an {@link io.qcheckpoint.pt.UnsafeCheckpointException}) naming the file
     */
    static void requireLinksInside(Path dir) throws CheckpointException {
        try {
            CheckpointLinks.requireInside(dir);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(dir + ": cannot resolve a link: " + e.getMessage(), e);
        }
    }

    /** Every layout's files, as a message lists them: "best_configure.yaml + best_model_weights.pt", ... */
    static List<String> lookedFor() {
        return Stream.of(values()).map(f -> String.join(" + ", f.files)).toList();
    }

    /** Returns whether every file of this format is in {@code dir}. */
    boolean presentIn(Path dir) {
        return files.stream().allMatch(f -> Files.isRegularFile(dir.resolve(f)));
    }

    /**
     * Returns the exception for {@code dir} lacking files of this format: it names the files
     * missing and those found, e.g. "LPOT checkpoint in DIR is missing best_model_weights.pt
     * (found best_configure.yaml)".
     *
     * @param dir the checkpoint directory
     * @return the exception, to throw
     */
    CheckpointNotFoundException missingIn(Path dir) {
        List<String> found = files.stream().filter(f -> Files.isRegularFile(dir.resolve(f))).toList();
        List<String> missing = files.stream().filter(f -> !found.contains(f)).toList();
        return new CheckpointNotFoundException(dir, label + " checkpoint in " + dir + " is missing "
                + String.join(", ", missing) + (found.isEmpty() ? "" : " (found " + String.join(", ", found) + ")"), files);
    }

    /**
     * Finds the format of the checkpoint in {@code dir}.
     *
     * @param dir the checkpoint directory
     * @return the first format whose files are all present
     * @throws CheckpointNotFoundException if none is: the message names the files a format lacks when
     *     some of its files are there (a {@code best_configure.yaml} without its
     *     {@code best_model_weights.pt}), and else every file looked for
     * @throws io.qcheckpoint.pt.UnsafeCheckpointException if a checkpoint file is a symbolic link out of {@code dir}
     * @throws CheckpointException if a link in {@code dir} cannot be resolved
     */
    public static CheckpointFormat detect(Path dir) throws CheckpointException {
        requireLinksInside(dir);
        for (CheckpointFormat f : values()) {
            if (f.presentIn(dir)) {
                return f;
            }
        }
        for (CheckpointFormat f : values()) {
            if (f.files.stream().anyMatch(name -> Files.isRegularFile(dir.resolve(name)))) {
                throw f.missingIn(dir);
            }
        }
        throw new CheckpointNotFoundException(dir, lookedFor());
    }
}
