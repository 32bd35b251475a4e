package io.qcheckpoint.config;

/**
 * A short, escaped excerpt of text read from a file, for error messages: a hostile file must not
 * be able to make a message long, multi-line, or a copy of the file's contents.
 */
public final class Excerpt {
    /** The most characters of the file an error message repeats. */
    public static final int MAX_CHARS = 40;

    private Excerpt() {
    }

    /**
     * Returns at most {@link #MAX_CHARS} characters of {@code text}, control, format and
     * line-separating characters escaped (as {@code \n}, or a backslash-u escape), followed by
     * {@code ... (N characters)} when it was cut.
     *
     * @param text the text, e.g. a scalar from a file
     * @return the excerpt, on one line
     */
    public static String of(String text) {
        return of(text, MAX_CHARS);
    }

    /**
     * Returns at most {@code maxChars} characters of {@code text}, escaped as {@link #of(String)} does:
     * for a parser's own message, which may quote the file at length.
     *
     * @param text the text
     * @param maxChars the most characters kept
     * @return the excerpt, on one line
     */
    public static String of(String text, int maxChars) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), maxChars);
        for (int i = 0; i < end; i++) {
            out.append(escape(text.charAt(i)));
        }
        if (end < text.length()) {
            out.append("... (").append(text.length()).append(" characters)");
        }
        return out.toString();
    }

    private static String escape(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> Character.isISOControl(c) || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c);
        };
    }
}
