package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.composer.Composer;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.parser.Parser;
import org.yaml.snakeyaml.parser.ParserImpl;
import org.yaml.snakeyaml.reader.StreamReader;

/**
 * Parses YAML text into SnakeYAML's node graph, under limits, after checking every tag in it against
 * {@link YamlTags}. Nothing is constructed here: nodes are syntax.
 */
final class YamlInput {
    /** Largest file read: LPOT's configs are a few hundred bytes per op. */
    static final int MAX_BYTES = 16 * 1024 * 1024;
    /** Deepest nesting the parser accepts; a tune config nests five levels. */
    static final int MAX_NESTING = 64;
    /** Aliases to collections allowed per document (SnakeYAML's billion-laughs guard). */
    static final int MAX_COLLECTION_ALIASES = 50;

    private YamlInput() {
    }

    /**
     * Parses one YAML document. First the whole event stream is scanned for tags, so that an unsafe
     * tag is reported as such (with its line) even when the rest of the file is malformed; then the
     * document is composed with PyYAML's implicit resolvers.
     *
     * @param text the document
     * @param source the file, for messages
     * @return the root node, or null for an empty stream
     * @throws UnsafeCheckpointException if a python tag outside the allowlist appears
     * @throws CheckpointFormatException if the text is not one YAML document within the limits, or
     *     carries a tag outside the allowlist
     */
    static Node parse(String text, String source) throws CheckpointFormatException, UnsafeCheckpointException {
        try {
            scanTags(new ParserImpl(new StreamReader(text), options()), source);
            Composer composer = new Composer(new ParserImpl(new StreamReader(text), options()), new PyYamlResolver(), options());
            return composer.getSingleNode();
        } catch (MarkedYAMLException e) {
            throw new CheckpointFormatException(source, at(e.getProblemMark()) + "not valid YAML: "
                    + e.getProblem() + (e.getContext() == null ? "" : " (" + e.getContext() + ")"), e);
        } catch (YAMLException e) {
            throw new CheckpointFormatException(source, "not valid YAML: " + e.getMessage(), e);
        }
    }

    private static void scanTags(Parser parser, String source) throws CheckpointFormatException, UnsafeCheckpointException {
        while (parser.peekEvent() != null) {
            Event event = parser.getEvent();
            String tag = event instanceof ScalarEvent s ? s.getTag()
                    : event instanceof CollectionStartEvent c ? c.getTag() : null;
            // "!" is YAML's non-specific tag: the node is resolved as if untagged
            if (tag != null && !tag.equals("!")) {
                YamlTags.kind(tag, source, event.getStartMark().getLine() + 1);
            }
            if (event.is(Event.ID.StreamEnd)) {
                return;
            }
        }
    }

    private static LoaderOptions options() {
        LoaderOptions o = new LoaderOptions();
        o.setCodePointLimit(MAX_BYTES);
        o.setNestingDepthLimit(MAX_NESTING);
        o.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        o.setAllowRecursiveKeys(false);
        o.setAllowDuplicateKeys(true);
        o.setProcessComments(false);
        // SnakeYAML's second guard; scanTags has already refused anything else, naming it
        o.setTagInspector(tag -> YamlTags.isAllowed(tag.getValue()));
        return o;
    }

    private static String at(Mark mark) {
        return mark == null ? "" : "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": ";
    }
}
