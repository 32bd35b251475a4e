package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Reads a file the way a user would (read, list tensors, touch every element) and classifies what
 * happened, failing on anything but success or an exception of the project's family: never a
 * runtime exception, an error, a hang, or an allocation beyond what the file's size allows.
 */
final class ReadOutcome {
    /** Deflate's largest expansion, plus room for the reader's own bookkeeping. */
    private static final long MAX_ALLOCATION_PER_FILE_BYTE = 1100;
    private static final long ALLOCATION_SLACK = 16L << 20;

    private ReadOutcome() {
    }

    /**
     * Reads {@code file} fully.
     *
     * @return null when it read cleanly, else the project exception it threw
     */
    static CheckpointException read(Path file) throws IOException {
        return read(file, Files.size(file) * MAX_ALLOCATION_PER_FILE_BYTE + ALLOCATION_SLACK);
    }

    /**
     * Reads {@code file} fully, allocating at most {@code allowed} bytes.
     *
     * @return null when it read cleanly, else the project exception it threw
     */
    static CheckpointException read(Path file, long allowed) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            CheckpointException thrown = null;
            try {
                TorchFile tf = TorchFiles.read(file);
                for (NamedTensor nt : tf.tensors()) {
                    touch(nt.tensor());
                }
            } catch (CheckpointException e) {
                thrown = e;
            } catch (Throwable t) {
                fail(file.getFileName() + ": expected success or a CheckpointException, got " + t, t);
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            if (allocated > allowed) {
                fail(file.getFileName() + ": allocated " + allocated + " bytes reading a file of " + Files.size(file));
            }
            return thrown;
        }, () -> file.getFileName() + " took more than 20 s to read");
    }

    private static void touch(Tensor t) {
        if (t.nbytes() > 1 << 26) {
            return;
        }
        ByteBuffer b = t.data();
        long sum = 0;
        while (b.hasRemaining()) {
            sum += b.get();
        }
        if (sum == Long.MIN_VALUE) {
            throw new AssertionError("unreachable; keeps the loop alive");
        }
    }
}
