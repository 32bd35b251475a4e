package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads and writes {@code best_configure.yaml}, LPOT's tune config, byte-compatibly with PyYAML.
 *
 * <p>Reading never runs or instantiates anything the file names: the YAML is parsed into data with
 * PyYAML's resolvers, and tags outside {@link YamlTags}' allowlist are refused before any value is
 * built. Input is bounded (16 MiB, 64 levels of nesting, 50 collection aliases, a million values
 * after alias expansion, lines of 16K characters, scalars of 4096, numbers of 100; see the limits
 * table in docs/torch-files.md), and messages repeat at most a short escaped excerpt of the file.
 * Writing gives what LPOT's {@code yaml.dump(tune_cfg, f, default_flow_style=False)} gives for the
 * same data.
 */
public final class TuneConfigs {
    private static final Logger LOG = LoggerFactory.getLogger(TuneConfigs.class);

    private TuneConfigs() {
    }

    /**
     * Reads a tune config file.
     *
     * @param path the file, e.g. {@code best_configure.yaml}
     * @return the config
     * @throws UnsafeCheckpointException if the file carries a python tag outside the allowlist
     *     (e.g. {@code !!python/object/apply:os.system}); the message names the tag and its line
     * @throws CheckpointFormatException if it is not a tune config (malformed YAML, wrong types,
     *     no {@code op}, over the limits); the message names the file, the line when known, the
     *     key path and what was expected
     * @throws IOException if the file cannot be read
     */
    public static TuneConfig readYaml(Path path) throws IOException {
        try (InputStream in = Files.newInputStream(path)) {
            return readYaml(in, path.toString());
        }
    }

    /**
     * Reads a tune config from a stream of UTF-8 YAML.
     *
     * @param in the stream, read to its end (or past the size limit) and not closed
     * @param source the name of the file, for messages
     * @return the config
     * @throws IOException as {@link #readYaml(Path)} does
     */
    public static TuneConfig readYaml(InputStream in, String source) throws IOException {
        return readYaml(BoundedText.read(in, YamlInput.MAX_BYTES, source), source);
    }

    /**
     * Reads a tune config from YAML text.
     *
     * @param text the YAML document
     * @param source the name of the file it came from, for messages
     * @return the config
     * @throws UnsafeCheckpointException as {@link #readYaml(Path)} does
     * @throws CheckpointFormatException as {@link #readYaml(Path)} does
     */
    public static TuneConfig readYaml(String text, String source) throws CheckpointFormatException, UnsafeCheckpointException {
        if (text.length() > YamlInput.MAX_BYTES) {
            throw new CheckpointFormatException(source, "longer than " + YamlInput.MAX_BYTES + " characters; refused");
        }
        Node root = YamlInput.parse(text, source);
        if (root == null) {
            throw new CheckpointFormatException(source, "empty: no YAML document");
        }
        SourceLines lines = new SourceLines();
        Object data = new YamlConstructor(source, lines).construct(root);
        TuneConfig config = new TuneConfigParser(source, lines).parse(data);
        List<String> unknown = config.unrecognizedValues();
        if (!unknown.isEmpty()) {
            LOG.warn("{}: values LPOT does not write, kept as read: {}", source, unknown);
        }
        return config;
    }

    /**
     * Returns the config as LPOT writes it: PyYAML block style, top-level keys sorted, ops and
     * their keys in order, op keys as {@code ? !!python/tuple} complex keys, floats as Python's
     * repr ({@code 7.0}, {@code 1.0e-05}, {@code .inf}), strings quoted where PyYAML would read
     * them as another type.
     *
     * @param config the config
     * @return the YAML text
     */
    public static String toYaml(TuneConfig config) {
        return YamlOutput.dump(config.toMap());
    }

    /**
     * Writes the config as {@link #toYaml} gives it, atomically: into a temporary file beside
     * {@code path}, synced, then moved over it.
     *
     * @param config the config
     * @param path the file to create or replace
     * @throws IOException if writing fails; {@code path} is then as it was
     */
    public static void writeYaml(TuneConfig config, Path path) throws IOException {
        AtomicFiles.write(path, toYaml(config).getBytes(StandardCharsets.UTF_8));
    }
}
