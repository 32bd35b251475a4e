package io.qcheckpoint.config;

import io.qcheckpoint.pt.AtomicWrite;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/** Replaces a file so that a crash leaves either the old content or the new, never part of it. */
final class AtomicFiles {
    private AtomicFiles() {
    }

    /**
     * Writes {@code bytes} to {@code path} through {@link AtomicWrite}.
     *
     * @param path the file to create or replace
     * @param bytes its new content
     * @throws java.nio.file.FileSystemException if the file system refuses: it names {@code path},
     *     never the temporary file
     * @throws IOException if writing or moving fails; {@code path} is left as it was
     */
    static void write(Path path, byte[] bytes) throws IOException {
        AtomicWrite.write(path, ch -> {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        });
    }
}
