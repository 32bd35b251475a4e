package io.qcheckpoint.lpot;

import io.qcheckpoint.pt.AtomicWrite;
import io.qcheckpoint.pt.OutputPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a checkpoint directory all at once, so that a crash or a {@code kill -9} at any moment
 * leaves the complete old or the complete new checkpoint at its path, or a state that the next load
 * or save restores before anything else ({@link #recover}). A save of {@code ck} by process PID:
 * <ol>
 *   <li>writes the files into {@code .ck.new-PID-ID} and syncs them;</li>
 *   <li>renames it {@code .ck.ready-PID-ID}: a ready folder is complete;</li>
 *   <li>renames an existing {@code ck} to {@code .ck.old-PID-ID};</li>
 *   <li>renames {@code .ck.ready-PID-ID} to {@code ck};</li>
 *   <li>deletes {@code .ck.old-PID-ID}.</li>
 * </ol>
 * Only between 3 and 4 is {@code ck} missing; recovery then finishes the swap. Leftovers of a
 * process that no longer runs are removed; those of a running process (a save in progress) never.
 */
public final class CheckpointDirectory {
    /** Every file name a checkpoint directory may hold; anything else there is the user's, and kept safe. */
    private static final Set<String> CHECKPOINT_FILES = Set.copyOf(CheckpointFiles.ALL);

    /** Writes the files of a checkpoint into a directory. */
    @FunctionalInterface
    public interface Writer {
        /**
         * Writes the checkpoint's files.
         *
         * @param dir the (temporary) directory to write into
         * @throws IOException if writing fails
         */
        void writeInto(Path dir) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointDirectory.class);
    private static final String NEW = ".new-";
    private static final String READY = ".ready-";
    private static final String OLD = ".old-";

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
    public static void check(Path dir) throws IOException {
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
     * @param atomic whether to write into a staging folder and rename it into place (a crash leaves
     *     the old checkpoint or the new one), or to write the files into {@code dir} one by one
     * @param writer writes the files
     * @throws AtomicMoveNotSupportedException if {@code atomic} and the file system of {@code dir}
     *     cannot rename a folder with its files; {@code dir} is then as it was
     * @throws java.nio.file.FileSystemException if the file system refuses: it names {@code dir},
     *     never the temporary folders beside it
     * @throws IOException if {@code dir} holds files that are not a checkpoint's, or writing or moving fails
     */
    public static void replace(Path dir, boolean atomic, Writer writer) throws IOException {
        check(dir);
        try {
            Path target = dir.toAbsolutePath().normalize();
            if (atomic) {
                replaceChecked(target, writer);
            } else {
                overwrite(target, writer);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new AtomicMoveNotSupportedException(dir.toString(), null, e.getReason());
        } catch (FileSystemException e) {
            // the caller knows the path it gave, not the hidden staging folder
            throw OutputPaths.restate(dir, e);
        }
    }

    /** The non-atomic save: the checkpoint's files in {@code target} are deleted, then written anew. */
    private static void overwrite(Path target, Writer writer) throws IOException {
        Files.createDirectories(target);
        for (String name : CHECKPOINT_FILES) {
            Files.deleteIfExists(target.resolve(name));
        }
        write(writer, target);
    }

    private static void replaceChecked(Path target, Writer writer) throws IOException {
        Files.createDirectories(target.getParent());
        recover(target);
        String id = ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        Path staging = sibling(target, NEW, id);
        Path ready = sibling(target, READY, id);
        Path old = sibling(target, OLD, id);
        Files.createDirectory(staging);
        try {
            write(writer, staging);
            syncTree(staging);
            AtomicWrite.move(staging, ready);
            requireMovedWithFiles(staging, ready);
            AtomicWrite.syncDirectory(target.getParent());
            boolean existed = Files.exists(target);
            if (existed) {
                AtomicWrite.move(target, old);
            }
            try {
                AtomicWrite.move(ready, target);
            } catch (IOException e) {
                if (existed) {
                    AtomicWrite.move(old, target);
                }
                throw e;
            }
            AtomicWrite.syncDirectory(target.getParent());
            deleteTree(old);
        } finally {
            deleteTree(staging);
            deleteTree(ready);
        }
    }

    /**
     * Finishes or undoes a save of {@code dir} that a dead process left half done, and removes what
     * dead processes left beside it: if {@code dir} is missing, a complete {@code .dir.ready-*} (or,
     * failing that, the {@code .dir.old-*} it replaced) becomes {@code dir}; then every
     * {@code .dir.new-*}, {@code .dir.ready-*} and {@code .dir.old-*} of a dead process is deleted.
     * Does nothing, and writes nothing, where nothing was left; a leftover that cannot be deleted
     * (a read-only location) is logged and left.
     *
     * @param dir the checkpoint directory
     * @throws IOException if {@code dir} is missing and the complete folder cannot be renamed to it
     */
    public static void recover(Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            return;
        }
        List<Path> ready;
        List<Path> old;
        try {
            ready = leftovers(target, READY);
            old = leftovers(target, OLD);
        } catch (AccessDeniedException e) {
            return; // a folder that cannot be listed holds nothing this process could have left
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !(ready.isEmpty() && old.isEmpty())) {
            Path restore = ready.isEmpty() ? old.get(0) : ready.get(0);
            LOG.warn("{}: finishing a save that was interrupted (restoring {})", target, restore.getFileName());
            AtomicWrite.move(restore, target);
            AtomicWrite.syncDirectory(parent);
        }
        for (String kind : List.of(NEW, READY, OLD)) {
            for (Path p : leftovers(target, kind)) {
                try {
                    deleteTree(p);
                } catch (IOException e) {
                    // a read-only location still loads; the leftover goes with the next save that can write
                    LOG.warn("{}: cannot remove {} left by an interrupted save: {}", target, p.getFileName(), e.toString());
                }
            }
        }
    }

    private static void write(Writer writer, Path dir) throws IOException {
        try {
            writer.writeInto(dir);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /**
     * Some file systems rename a folder without its files (the JDK's zip file system moves the
     * folder's entry alone): a checkpoint renamed so would be empty. Caught here, before the old
     * checkpoint is touched.
     */
    private static void requireMovedWithFiles(Path staging, Path ready) throws IOException {
        boolean left;
        try (Stream<Path> s = Files.list(ready)) {
            left = s.findAny().isEmpty() || Files.exists(staging);
        }
        if (left) {
            throw new AtomicMoveNotSupportedException(staging.toString(), ready.toString(), "this file system ("
                    + ready.getFileSystem().provider().getScheme() + ") renames a folder without its files, so a"
                    + " checkpoint cannot replace the old one atomically; nothing was changed. Save to a folder on a"
                    + " file system that can (the default one), or save with SaveOptions.defaults().withAtomic(false)");
        }
    }

    /** The leftovers of one kind that dead processes left beside {@code target}, newest first. */
    private static List<Path> leftovers(Path target, String kind) throws IOException {
        String prefix = "." + target.getFileName() + kind;
        List<Path> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(target.getParent())) {
            s.filter(p -> AtomicWrite.ofDeadProcess(p.getFileName().toString(), prefix)).forEach(out::add);
        }
        out.sort(Comparator.comparing(CheckpointDirectory::modified).reversed());
        return out;
    }

    private static FileTime modified(Path p) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static Path sibling(Path target, String kind, String id) {
        return target.resolveSibling("." + target.getFileName() + kind + id);
    }

    private static void syncTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
                    c.force(true);
                }
            }
        }
        AtomicWrite.syncDirectory(dir);
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
