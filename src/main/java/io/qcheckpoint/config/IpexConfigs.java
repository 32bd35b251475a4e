package io.qcheckpoint.config;

import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.qcheckpoint.pt.CheckpointFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes {@code best_configure.json}, the IPEX 1.x calibration list LPOT saves for the
 * IPEX backend, byte-compatibly with Python's {@code json.dump(list, f)}.
 *
 * <p>Input is bounded (16 MiB, 64 levels of nesting) and read as Python's {@code json.load} reads
 * it: {@code NaN} and {@code Infinity} allowed, nothing after the value, a repeated key's last value.
 * Known keys are written back in IPEX's order and unknown ones after them.
 */
public final class IpexConfigs {
    /** Largest file read: a few hundred bytes per op. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Most characters of Jackson's message kept, its quote of the file cut to 40 characters already. */
    private static final int MESSAGE_CHARS = 200;
    private static final int MAX_NESTING = 64;
    /** Immutable and thread-safe once built. */
    private static final ObjectReader READER = reader();

    private IpexConfigs() {
    }

    private static ObjectReader reader() {
        JsonFactory factory = JsonFactory.builder()
                .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING).maxDocumentLength(MAX_BYTES).build())
                // messages quote the offending token: no more of it than Excerpt allows, and no raw content
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(Excerpt.MAX_CHARS).maxRawContentLength(0).build())
                .build();
        return new ObjectMapper(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /**
     * Reads a calibration list file.
     *
     * @param path the file, e.g. {@code best_configure.json}
     * @return the list
     * @throws CheckpointFormatException if it is not an IPEX calibration list: the message names
     *     the file, the op's index and the key, and what was expected
     * @throws IOException if the file cannot be read
     */
    public static IpexConfig readJson(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readJson(in, path.toString());
        }
    }

    /**
     * Reads a calibration list from a stream of UTF-8 JSON.
     *
     * @param in the stream, read to its end (or past the size limit) and not closed
     * @param source the name of the file, for messages
     * @return the list
     * @throws IOException as {@link #readJson(Path)} does
     */
    public static IpexConfig readJson(InputStream in, String source) throws IOException {
        return readJson(BoundedText.read(in, MAX_BYTES, source), source);
    }

    /**
     * Reads a calibration list from JSON text.
     *
     * @param text the JSON
     * @param source the name of the file, for messages
     * @return the list
     * @throws CheckpointFormatException as {@link #readJson(Path)} does
     */
    public static IpexConfig readJson(String text, String source) throws CheckpointFormatException {
        JsonNode root;
        try {
            root = READER.readTree(text);
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new CheckpointFormatException(source, (at == null ? "" : "line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ": ") + "not valid JSON: " + Excerpt.of(e.getOriginalMessage(), MESSAGE_CHARS), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new CheckpointFormatException(source, "empty: no JSON value");
        }
        return new IpexConfigParser(source).parse(root);
    }

    /**
     * Returns the list as LPOT writes it ({@code json.dump(list, f)}): one line, no final newline.
     *
     * @param config the list
     * @return the JSON text
     */
    public static String toJson(IpexConfig config) {
        List<Object> ops = new ArrayList<>();
        config.ops().forEach(op -> ops.add(op.toMap()));
        return PythonJson.dumps(ops);
    }

    /**
     * Writes the list as {@link #toJson} gives it, atomically: into a temporary file beside
     * {@code path}, synced, then moved over it.
     *
     * @param config the list
     * @param path the file to create or replace
     * @throws IOException if writing fails; {@code path} is then as it was
     */
    public static void writeJson(IpexConfig config, Path path) throws IOException {
        AtomicFiles.write(path, toJson(config).getBytes(StandardCharsets.UTF_8));
    }
}
