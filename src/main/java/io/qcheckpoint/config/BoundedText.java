package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Reads a small text file (a tune config, a calibration list) as UTF-8, refusing one too large to be one. */
final class BoundedText {
    private BoundedText() {
    }

    /**
     * Reads at most {@code maxBytes} bytes of UTF-8 text; a leading byte-order mark is dropped.
     *
     * @param in the stream, not closed here
     * @param maxBytes the largest size accepted
     * @param source the file, for messages
     * @return the text
     * @throws CheckpointFormatException if the stream is longer than {@code maxBytes} or is not UTF-8
     * @throws IOException if reading fails
     */
    static String read(InputStream in, int maxBytes, String source) throws IOException {
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new CheckpointFormatException(source, "larger than " + maxBytes + " bytes; a configuration file "
                    + "this size is not one LPOT wrote, and is refused before parsing");
        }
        return decode(bytes, source);
    }

    private static String decode(byte[] bytes, String source) throws CheckpointFormatException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(source, "not UTF-8 text", e);
        }
    }
}
