package io.qcheckpoint.config;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A port of PyYAML 6.0's {@code yaml/emitter.py} for the documents {@code yaml.dump} writes with
 * {@code default_flow_style=False}: block mappings and sequences (empty ones in flow style, as
 * PyYAML writes them), complex keys, tags, and plain, single- and double-quoted scalars with
 * PyYAML's line folding and escapes. Indent 2, width 80, {@code allow_unicode=False}, {@code \n}.
 *
 * <p>Why not SnakeYAML's emitter, itself a port: it has drifted. It writes multi-line strings as
 * plain scalars where PyYAML single-quotes them, and lower-case hex escapes ({@code \x7f}) where
 * PyYAML writes {@code \x7F}. The state machine here follows PyYAML's method for method (names in
 * comments), on code points, so that the output is PyYAML's byte for byte.
 */
final class PyYamlEmitter {
    private static final int BEST_INDENT = 2;
    private static final int BEST_WIDTH = 80;
    private static final int MAX_SIMPLE_KEY = 128;
    private static final int NONE = -1;
    private static final String YAML_PREFIX = "tag:yaml.org,2002:";
    private static final Map<Integer, String> ESCAPE_REPLACEMENTS = Map.ofEntries(
            Map.entry(0x00, "0"), Map.entry(0x07, "a"), Map.entry(0x08, "b"), Map.entry(0x09, "t"),
            Map.entry(0x0A, "n"), Map.entry(0x0B, "v"), Map.entry(0x0C, "f"), Map.entry(0x0D, "r"),
            Map.entry(0x1B, "e"), Map.entry((int) '"', "\""), Map.entry((int) '\\', "\\"),
            Map.entry(0x85, "N"), Map.entry(0xA0, "_"), Map.entry(0x2028, "L"), Map.entry(0x2029, "P"));

    private interface State {
        void run();
    }

    /** What analyze_scalar finds out about a scalar's text. */
    private record Analysis(int[] scalar, boolean empty, boolean multiline, boolean allowFlowPlain,
            boolean allowBlockPlain, boolean allowSingleQuoted, boolean allowBlock) {
    }

    private final StringBuilder out = new StringBuilder();
    private final List<YamlEvent> events;
    private int nextEvent;
    private YamlEvent event;
    private final Deque<State> states = new ArrayDeque<>();
    private State state;
    private final List<Integer> indents = new ArrayList<>();
    private Integer indent;
    private int flowLevel;
    private boolean rootContext;
    private boolean simpleKeyContext;
    private boolean mappingContext;
    private int column;
    private boolean whitespace = true;
    private boolean indention = true;
    private boolean openEnded;
    private String style;

    private PyYamlEmitter(List<YamlEvent> events) {
        this.events = events;
    }

    /**
     * Writes one document: the events of its root node, with the implicit document start and end
     * {@code yaml.dump} uses.
     *
     * @param events the root node's events, well nested
     * @return the text
     */
    static String emit(List<YamlEvent> events) {
        PyYamlEmitter e = new PyYamlEmitter(events);
        e.state = e::expectDocumentRoot;
        for (YamlEvent ev : events) {
            e.event = ev;
            e.nextEvent++;
            e.state.run();
        }
        // expect_document_end, then expect_document_start on the stream end
        e.writeIndent();
        if (e.openEnded) {
            e.writeIndicator("...", true, false, false);
            e.writeIndent();
        }
        return e.out.toString();
    }

    private YamlEvent peek() {
        return nextEvent < events.size() ? events.get(nextEvent) : null;
    }

    private void increaseIndent(boolean flow, boolean indentless) {
        indents.add(indent);
        if (indent == null) {
            indent = flow ? BEST_INDENT : 0;
        } else if (!indentless) {
            indent += BEST_INDENT;
        }
    }

    private void popIndent() {
        indent = indents.remove(indents.size() - 1);
    }

    // expect_document_root
    private void expectDocumentRoot() {
        states.push(() -> {
            throw new IllegalStateException("events after the root node");
        });
        expectNode(true, false, false, false);
    }

    // expect_node
    private void expectNode(boolean root, boolean sequence, boolean mapping, boolean simpleKey) {
        rootContext = root;
        mappingContext = mapping;
        simpleKeyContext = simpleKey;
        processTag();
        if (event instanceof YamlEvent.Scalar) {
            expectScalar();
        } else if (event instanceof YamlEvent.SequenceStart) {
            if (flowLevel > 0 || checkEmptySequence()) {
                expectFlowCollection("[", "]");
            } else {
                expectBlockSequence();
            }
        } else if (event instanceof YamlEvent.MappingStart) {
            if (flowLevel > 0 || checkEmptyMapping()) {
                expectFlowCollection("{", "}");
            } else {
                expectBlockMapping();
            }
        } else {
            throw new IllegalStateException("expected a node, got " + event);
        }
    }

    // expect_scalar
    private void expectScalar() {
        increaseIndent(true, false);
        processScalar();
        popIndent();
        state = states.pop();
    }

    /** expect_flow_sequence / expect_flow_mapping, for the only flow collections written: empty ones. */
    private void expectFlowCollection(String open, String close) {
        writeIndicator(open, true, true, false);
        flowLevel++;
        increaseIndent(true, false);
        state = () -> {
            if (!(event instanceof YamlEvent.SequenceEnd || event instanceof YamlEvent.MappingEnd)) {
                throw new IllegalStateException("flow collections are written only when empty");
            }
            popIndent();
            flowLevel--;
            writeIndicator(close, false, false, false);
            state = states.pop();
        };
    }

    // expect_block_sequence
    private void expectBlockSequence() {
        boolean indentless = mappingContext && !indention;
        increaseIndent(false, indentless);
        state = () -> expectBlockSequenceItem(true);
    }

    // expect_block_sequence_item
    private void expectBlockSequenceItem(boolean first) {
        if (!first && event instanceof YamlEvent.SequenceEnd) {
            popIndent();
            state = states.pop();
        } else {
            writeIndent();
            writeIndicator("-", true, false, true);
            states.push(() -> expectBlockSequenceItem(false));
            expectNode(false, true, false, false);
        }
    }

    // expect_block_mapping
    private void expectBlockMapping() {
        increaseIndent(false, false);
        state = () -> expectBlockMappingKey(true);
    }

    // expect_block_mapping_key
    private void expectBlockMappingKey(boolean first) {
        if (!first && event instanceof YamlEvent.MappingEnd) {
            popIndent();
            state = states.pop();
        } else {
            writeIndent();
            if (checkSimpleKey()) {
                states.push(this::expectBlockMappingSimpleValue);
                expectNode(false, false, true, true);
            } else {
                writeIndicator("?", true, false, true);
                states.push(this::expectBlockMappingValue);
                expectNode(false, false, true, false);
            }
        }
    }

    // expect_block_mapping_simple_value
    private void expectBlockMappingSimpleValue() {
        writeIndicator(":", false, false, false);
        states.push(() -> expectBlockMappingKey(false));
        expectNode(false, false, true, false);
    }

    // expect_block_mapping_value
    private void expectBlockMappingValue() {
        writeIndent();
        writeIndicator(":", true, false, true);
        states.push(() -> expectBlockMappingKey(false));
        expectNode(false, false, true, false);
    }

    private boolean checkEmptySequence() {
        return event instanceof YamlEvent.SequenceStart && peek() instanceof YamlEvent.SequenceEnd;
    }

    private boolean checkEmptyMapping() {
        return event instanceof YamlEvent.MappingStart && peek() instanceof YamlEvent.MappingEnd;
    }

    // check_simple_key: the tag counts whether or not it will be written
    private boolean checkSimpleKey() {
        int length = prepareTag(tagOf(event)).length();
        if (event instanceof YamlEvent.Scalar s) {
            Analysis a = analyzeScalar(s.value());
            length += a.scalar().length;
            return length < MAX_SIMPLE_KEY && !a.empty() && !a.multiline();
        }
        return length < MAX_SIMPLE_KEY && (checkEmptySequence() || checkEmptyMapping());
    }

    private static String tagOf(YamlEvent e) {
        if (e instanceof YamlEvent.Scalar s) {
            return s.tag();
        }
        if (e instanceof YamlEvent.SequenceStart s) {
            return s.tag();
        }
        return ((YamlEvent.MappingStart) e).tag();
    }

    // process_tag
    private void processTag() {
        if (event instanceof YamlEvent.Scalar s) {
            if (style == null) {
                style = chooseScalarStyle(s);
            }
            if ((style.isEmpty() && s.plainImplicit()) || (!style.isEmpty() && s.quotedImplicit())) {
                return;
            }
        } else if (event instanceof YamlEvent.SequenceStart q && q.implicit()
                || event instanceof YamlEvent.MappingStart m && m.implicit()) {
            return;
        }
        writeIndicator(prepareTag(tagOf(event)), true, false, false);
    }

    // choose_scalar_style, for events that ask for no style
    private String chooseScalarStyle(YamlEvent.Scalar s) {
        Analysis a = analyzeScalar(s.value());
        if (s.plainImplicit() && !(simpleKeyContext && (a.empty() || a.multiline()))
                && (flowLevel > 0 ? a.allowFlowPlain() : a.allowBlockPlain())) {
            return "";
        }
        if (a.allowSingleQuoted() && !(simpleKeyContext && a.multiline())) {
            return "'";
        }
        return "\"";
    }

    // process_scalar
    private void processScalar() {
        YamlEvent.Scalar s = (YamlEvent.Scalar) event;
        int[] text = s.value().codePoints().toArray();
        boolean split = !simpleKeyContext;
        switch (style) {
            case "\"" -> writeDoubleQuoted(text, split);
            case "'" -> writeSingleQuoted(text, split);
            default -> writePlain(text, split);
        }
        style = null;
    }

    // prepare_tag, with PyYAML's default prefixes {'!': '!', 'tag:yaml.org,2002:': '!!'}
    private static String prepareTag(String tag) {
        if (tag.equals("!")) {
            return tag;
        }
        String handle = null;
        String suffix = tag;
        if (tag.startsWith("!")) {
            handle = "!";
            suffix = tag.substring(1);
        }
        if (tag.startsWith(YAML_PREFIX) && YAML_PREFIX.length() < tag.length()) {
            handle = "!!";
            suffix = tag.substring(YAML_PREFIX.length());
        }
        StringBuilder chunks = new StringBuilder();
        for (int i = 0; i < suffix.length(); ) {
            int ch = suffix.codePointAt(i);
            i += Character.charCount(ch);
            if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')
                    || "-;/?:@&=+$,_.~*'()[]".indexOf(ch) >= 0 || (ch == '!' && !"!".equals(handle))) {
                chunks.appendCodePoint(ch);
            } else {
                for (byte b : new String(Character.toChars(ch)).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                    chunks.append(String.format("%%%02X", b & 0xFF));
                }
            }
        }
        return handle != null ? handle + chunks : "!<" + chunks + ">";
    }

    private static boolean isBreak(int ch) {
        return ch == '\n' || ch == 0x85 || ch == 0x2028 || ch == 0x2029;
    }

    private static boolean isWhitespaceOrEnd(int ch) {
        return ch == 0 || ch == ' ' || ch == '\t' || ch == '\r' || isBreak(ch);
    }

    // analyze_scalar
    private static Analysis analyzeScalar(String value) {
        int[] scalar = value.codePoints().toArray();
        int n = scalar.length;
        if (n == 0) {
            return new Analysis(scalar, true, false, false, true, true, false);
        }
        boolean blockIndicators = false;
        boolean flowIndicators = false;
        boolean lineBreaks = false;
        boolean specialCharacters = false;
        boolean leadingSpace = false;
        boolean leadingBreak = false;
        boolean trailingSpace = false;
        boolean trailingBreak = false;
        boolean breakSpace = false;
        boolean spaceBreak = false;
        if (value.startsWith("---") || value.startsWith("...")) {
            blockIndicators = true;
            flowIndicators = true;
        }
        boolean precededByWhitespace = true;
        boolean followedByWhitespace = n == 1 || isWhitespaceOrEnd(scalar[1]);
        boolean previousSpace = false;
        boolean previousBreak = false;
        for (int index = 0; index < n; ) {
            int ch = scalar[index];
            if (index == 0) {
                if ("#,[]{}&*!|>'\"%@`".indexOf(ch) >= 0) {
                    flowIndicators = true;
                    blockIndicators = true;
                }
                if (ch == '?' || ch == ':') {
                    flowIndicators = true;
                    if (followedByWhitespace) {
                        blockIndicators = true;
                    }
                }
                if (ch == '-' && followedByWhitespace) {
                    flowIndicators = true;
                    blockIndicators = true;
                }
            } else {
                if (",?[]{}".indexOf(ch) >= 0) {
                    flowIndicators = true;
                }
                if (ch == ':') {
                    flowIndicators = true;
                    if (followedByWhitespace) {
                        blockIndicators = true;
                    }
                }
                if (ch == '#' && precededByWhitespace) {
                    flowIndicators = true;
                    blockIndicators = true;
                }
            }
            if (isBreak(ch)) {
                lineBreaks = true;
            }
            // allow_unicode is off: every character outside printable ASCII is special
            if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
                specialCharacters = true;
            }
            if (ch == ' ') {
                if (index == 0) {
                    leadingSpace = true;
                }
                if (index == n - 1) {
                    trailingSpace = true;
                }
                if (previousBreak) {
                    breakSpace = true;
                }
                previousSpace = true;
                previousBreak = false;
            } else if (isBreak(ch)) {
                if (index == 0) {
                    leadingBreak = true;
                }
                if (index == n - 1) {
                    trailingBreak = true;
                }
                if (previousSpace) {
                    spaceBreak = true;
                }
                previousSpace = false;
                previousBreak = true;
            } else {
                previousSpace = false;
                previousBreak = false;
            }
            index++;
            precededByWhitespace = isWhitespaceOrEnd(ch);
            followedByWhitespace = index + 1 >= n || isWhitespaceOrEnd(scalar[index + 1]);
        }
        boolean allowFlowPlain = true;
        boolean allowBlockPlain = true;
        boolean allowSingleQuoted = true;
        boolean allowBlock = true;
        if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) {
            allowFlowPlain = false;
            allowBlockPlain = false;
        }
        if (trailingSpace) {
            allowBlock = false;
        }
        if (breakSpace) {
            allowFlowPlain = false;
            allowBlockPlain = false;
            allowSingleQuoted = false;
        }
        if (spaceBreak || specialCharacters) {
            allowFlowPlain = false;
            allowBlockPlain = false;
            allowSingleQuoted = false;
            allowBlock = false;
        }
        if (lineBreaks) {
            allowFlowPlain = false;
            allowBlockPlain = false;
        }
        if (flowIndicators) {
            allowFlowPlain = false;
        }
        if (blockIndicators) {
            allowBlockPlain = false;
        }
        return new Analysis(scalar, false, lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted, allowBlock);
    }

    // write_indicator
    private void writeIndicator(String indicator, boolean needWhitespace, boolean isWhitespace, boolean isIndention) {
        String data = whitespace || !needWhitespace ? indicator : " " + indicator;
        whitespace = isWhitespace;
        indention = indention && isIndention;
        column += data.codePointCount(0, data.length());
        openEnded = false;
        out.append(data);
    }

    // write_indent
    private void writeIndent() {
        int ind = indent == null ? 0 : indent;
        if (!indention || column > ind || (column == ind && !whitespace)) {
            writeLineBreak(NONE);
        }
        if (column < ind) {
            whitespace = true;
            out.append(" ".repeat(ind - column));
            column = ind;
        }
    }

    // write_line_break: NONE writes '\n'
    private void writeLineBreak(int data) {
        whitespace = true;
        indention = true;
        column = 0;
        out.appendCodePoint(data == NONE ? '\n' : data);
    }

    private void writeText(int[] text, int start, int end) {
        column += end - start;
        for (int i = start; i < end; i++) {
            out.appendCodePoint(text[i]);
        }
    }

    private void writeBreaks(int[] text, int start, int end) {
        for (int i = start; i < end; i++) {
            writeLineBreak(text[i] == '\n' ? NONE : text[i]);
        }
    }

    // write_single_quoted
    private void writeSingleQuoted(int[] text, boolean split) {
        writeIndicator("'", true, false, false);
        boolean spaces = false;
        boolean breaks = false;
        int start = 0;
        int n = text.length;
        for (int end = 0; end <= n; end++) {
            int ch = end < n ? text[end] : NONE;
            if (spaces) {
                if (ch != ' ') {
                    if (start + 1 == end && column > BEST_WIDTH && split && start != 0 && end != n) {
                        writeIndent();
                    } else {
                        writeText(text, start, end);
                    }
                    start = end;
                }
            } else if (breaks) {
                if (ch == NONE || !isBreak(ch)) {
                    if (text[start] == '\n') {
                        writeLineBreak(NONE);
                    }
                    writeBreaks(text, start, end);
                    writeIndent();
                    start = end;
                }
            } else {
                if (ch == NONE || ch == ' ' || isBreak(ch) || ch == '\'') {
                    if (start < end) {
                        writeText(text, start, end);
                        start = end;
                    }
                }
            }
            if (ch == '\'') {
                column += 2;
                out.append("''");
                start = end + 1;
            }
            if (ch != NONE) {
                spaces = ch == ' ';
                breaks = isBreak(ch);
            }
        }
        writeIndicator("'", false, false, false);
    }

    // write_double_quoted
    private void writeDoubleQuoted(int[] text, boolean split) {
        writeIndicator("\"", true, false, false);
        int start = 0;
        int n = text.length;
        for (int end = 0; end <= n; end++) {
            int ch = end < n ? text[end] : NONE;
            if (ch == NONE || ch == '"' || ch == '\\' || ch == 0x85 || ch == 0x2028 || ch == 0x2029 || ch == 0xFEFF
                    || !(ch >= 0x20 && ch <= 0x7E)) {
                if (start < end) {
                    writeText(text, start, end);
                    start = end;
                }
                if (ch != NONE) {
                    String data = escape(ch);
                    column += data.length();
                    out.append(data);
                    start = end + 1;
                }
            }
            if (0 < end && end < n - 1 && (ch == ' ' || start >= end) && column + (end - start) > BEST_WIDTH && split) {
                // Python's text[start:end] is empty when an escape has moved start past end
                int[] head = java.util.Arrays.copyOfRange(text, start, Math.max(start, end));
                if (start < end) {
                    start = end;
                }
                writeText(head, 0, head.length);
                column += 1;
                out.append('\\');
                writeIndent();
                whitespace = false;
                indention = false;
                if (text[start] == ' ') {
                    column += 1;
                    out.append('\\');
                }
            }
        }
        writeIndicator("\"", false, false, false);
    }

    private static String escape(int ch) {
        String r = ESCAPE_REPLACEMENTS.get(ch);
        if (r != null) {
            return "\\" + r;
        }
        if (ch <= 0xFF) {
            return String.format("\\x%02X", ch);
        }
        if (ch <= 0xFFFF) {
            return String.format("\\u%04X", ch);
        }
        return String.format("\\U%08X", ch);
    }

    // write_plain
    private void writePlain(int[] text, boolean split) {
        if (rootContext) {
            openEnded = true;
        }
        if (text.length == 0) {
            return;
        }
        if (!whitespace) {
            column += 1;
            out.append(' ');
        }
        whitespace = false;
        indention = false;
        boolean spaces = false;
        boolean breaks = false;
        int start = 0;
        int n = text.length;
        for (int end = 0; end <= n; end++) {
            int ch = end < n ? text[end] : NONE;
            if (spaces) {
                if (ch != ' ') {
                    if (start + 1 == end && column > BEST_WIDTH && split) {
                        writeIndent();
                        whitespace = false;
                        indention = false;
                    } else {
                        writeText(text, start, end);
                    }
                    start = end;
                }
            } else if (breaks) {
                if (!isBreak(ch)) {
                    if (text[start] == '\n') {
                        writeLineBreak(NONE);
                    }
                    writeBreaks(text, start, end);
                    writeIndent();
                    whitespace = false;
                    indention = false;
                    start = end;
                }
            } else {
                if (ch == NONE || ch == ' ' || isBreak(ch)) {
                    writeText(text, start, end);
                    start = end;
                }
            }
            if (ch != NONE) {
                spaces = ch == ' ';
                breaks = isBreak(ch);
            }
        }
    }
}
