package io.qcheckpoint;

import io.qcheckpoint.pt.OutputPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Writes a checkpoint directory all at once: the files go into a temporary sibling directory, are
 * synced, and the sibling is renamed into place; an existing checkpoint is moved aside only then,
 * and deleted after. A failure before the swap leaves {@code dir} exactly as it was.
 */
final class CheckpointDirectory {
    /** Every file name a checkpoint directory may hold; anything else there is the user's, and kept safe. */
    private static final Set<String> CHECKPOINT_FILES = Set.of("best_configure.yaml", "best_model_weights.pt",
            "best_model.pt", "best_configure.json");

    /** Writes the files of a checkpoint into a directory. */
    @FunctionalInterface
    interface Writer {
        void writeInto(Path dir) throws IOException;
    }

    private CheckpointDirectory() {
    }

    /**
     * Checks, without writing anything, that {@link #replace} can write {@code dir}: the folder
     * where it goes can be written, and {@code dir}, if it exists, is a directory that holds only
     * checkpoint files.
     *
     * @param dir the checkpoint directory
     * @throws java.nio.file.FileSystemException if {@code dir} or a path above it is a file, or the
     *     folder it goes in is not writable (see {@link OutputPaths#checkDirectory})
     * @throws IOException if {@code dir} holds files that are not a checkpoint's
     */
    static void check(Path dir) throws IOException {
        OutputPaths.checkDirectory(dir);
        Path target = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(target)) {
            return;
        }
        List<String> foreign = new ArrayList<>();
        try (Stream<Path> s = Files.list(target)) {
            s.map(p -> p.getFileName().toString()).filter(n -> !CHECKPOINT_FILES.contains(n)).sorted().forEach(foreign::add);
        }
        if (!foreign.isEmpty()) {
            throw new IOException(target + " holds files that are not part of a checkpoint (" + String.join(", ", foreign)
                    + "); refusing to replace it");
        }
    }

    /**
     * Replaces {@code dir} with what {@code writer} writes, creating the folders above it that are
     * missing (as LPOT's {@code os.makedirs}).
     *
     * @param dir the checkpoint directory
     * @param writer writes the files
     * @throws java.nio.file.FileSystemException if the file system refuses: it names {@code dir},
     *     never the temporary folders beside it
     * @throws IOException if {@code dir} holds files that are not a checkpoint's, or writing or moving fails
     */
    static void replace(Path dir, Writer writer) throws IOException {
        check(dir);
        try {
            replaceChecked(dir.toAbsolutePath().normalize(), writer);
        } catch (FileSystemException e) {
            // the caller knows the path it gave, not the hidden staging folder
            throw OutputPaths.restate(dir, e);
        }
    }

    private static void replaceChecked(Path target, Writer writer) throws IOException {
        Files.createDirectories(target.getParent());
        String id = UUID.randomUUID().toString();
        Path staging = target.resolveSibling("." + target.getFileName() + ".new-" + id);
        Path old = target.resolveSibling("." + target.getFileName() + ".old-" + id);
        Files.createDirectory(staging);
        try {
            try {
                writer.writeInto(staging);
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            syncTree(staging);
            boolean existed = Files.exists(target);
            if (existed) {
                move(target, old);
            }
            try {
                move(staging, target);
            } catch (IOException e) {
                if (existed) {
                    move(old, target);
                }
                throw e;
            }
            sync(target.getParent());
            if (existed) {
                deleteTree(old);
            }
        } finally {
            deleteTree(staging);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private static void syncTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
            }
        }
        sync(dir);
    }

    private static void sync(Path dir) throws IOException {
        try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                try {
                    Files.delete(p);
                } catch (NoSuchFileException e) {
                    // already gone: the outcome wanted
                }
            }
        }
    }
}
