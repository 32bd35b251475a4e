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
     * Returns at most {@link #MAX_CHARS} characters of {@code text}, control and line-breaking
     * characters escaped ({@code \n}, {@code \x00}, {@code \u2028}), followed by
     * {@code ... (N characters)} when it was cut.
     *
     * @param text the text, e.g. a scalar from a file
     * @return the excerpt, on one line
     */
    public static String of(String text) {
        StringBuilder out = new StringBuilder();
        int end = Math.min(text.length(), MAX_CHARS);
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
