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
    /**
     * Longest scalar (key or value) accepted, in characters. LPOT's longest are op names (module
     * paths, tens of characters); beyond this SnakeYAML's composer and PyYAML's resolver regexes
     * grow slow (quadratic) or deep (a stack overflow on a long sexagesimal int).
     */
    static final int MAX_SCALAR_CHARS = 4096;
    /**
     * Longest line accepted, in characters. SnakeYAML's scanner takes time quadratic in a line's
     * length (4 s for 4 MB); LPOT's lines are an indent, a key and a short value.
     */
    static final int MAX_LINE_CHARS = 16 * 1024;
    /**
     * Longest plain scalar that starts as a number may ({@code [-+.0-9]}). PyYAML's int and float
     * patterns are matched against such scalars, and Java's regex engine recurses once per
     * base-60 part ({@code 1:59:59:...}): a few thousand overflow the stack. LPOT's numbers are
     * iteration counts and float reprs, of at most 24 characters.
     */
    static final int MAX_NUMBER_CHARS = 100;

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
     * @throws CheckpointFormatException if the text is not one YAML document within the limits (size,
     *     nesting, aliases, {@link #MAX_SCALAR_CHARS}), or carries a tag outside the allowlist
     */
    static Node parse(String text, String source) throws CheckpointFormatException, UnsafeCheckpointException {
        checkLines(text, source);
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
            if (event instanceof ScalarEvent s) {
                checkScalar(s, source);
            }
            if (event.is(Event.ID.StreamEnd)) {
                return;
            }
        }
    }

    /** Refuses a line longer than {@link #MAX_LINE_CHARS} before the scanner sees it. */
    private static void checkLines(String text, String source) throws CheckpointFormatException {
        int start = 0;
        for (int line = 1; start <= text.length(); line++) {
            int end = text.indexOf('\n', start);
            int stop = end < 0 ? text.length() : end;
            if (stop - start > MAX_LINE_CHARS) {
                throw new CheckpointFormatException(source, "line " + line + ": " + (stop - start) + " characters ('"
                        + Excerpt.of(text.substring(start, start + Excerpt.MAX_CHARS + 1)) + "'), more than the "
                        + MAX_LINE_CHARS + " a tune config's lines need; refused");
            }
            start = stop + 1;
        }
    }

    /** Refuses scalars over {@link #MAX_SCALAR_CHARS}, and plain ones over {@link #MAX_NUMBER_CHARS} that start as a number. */
    private static void checkScalar(ScalarEvent s, String source) throws CheckpointFormatException {
        String v = s.getValue();
        boolean numberLike = s.getImplicit().canOmitTagInPlainScalar() && !v.isEmpty() && "-+.0123456789".indexOf(v.charAt(0)) >= 0;
        int limit = numberLike ? MAX_NUMBER_CHARS : MAX_SCALAR_CHARS;
        if (v.length() > limit) {
            throw new CheckpointFormatException(source, "line " + (s.getStartMark().getLine() + 1) + ": a "
                    + (numberLike ? "plain scalar that starts as a number" : "scalar") + " of " + v.length() + " characters ('"
                    + Excerpt.of(v) + "'), more than the " + limit + " a tune config needs; refused");
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
