package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.math.BigInteger;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Splits a TorchScript code file into Python tokens, with INDENT/DEDENT from leading spaces and
 * no NEWLINE inside brackets.
 */
final class Lexer {
    /** What a token is. */
    enum Kind { NAME, INT, FLOAT, STRING, OP, NEWLINE, INDENT, DEDENT, EOF }

    /** One token; {@code text} is a string literal's value for STRING. */
    record Token(Kind kind, String text, int line) {
    }

    private static final String[] OPS = {"->", "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "@", "<",
        ">", "=", "(", ")", "[", "]", ",", ":", ".", "~"};

    private final String archive;
    private final String path;
    private final String s;
    private int i;
    private int line = 1;
    private int brackets;
    private final List<Token> out = new ArrayList<>();
    private final Deque<Integer> indents = new ArrayDeque<>(List.of(0));

    Lexer(String archive, String path, String text) {
        this.archive = archive;
        this.path = path;
        this.s = text;
    }

    List<Token> tokens() throws CheckpointFormatException {
        boolean lineStart = true;
        while (i < s.length()) {
            if (lineStart && brackets == 0) {
                lineStart = false;
                if (indentation()) {
                    continue;
                }
            }
            char c = s.charAt(i);
            if (c == '\n') {
                if (brackets == 0 && !out.isEmpty() && out.get(out.size() - 1).kind() != Kind.NEWLINE) {
                    out.add(new Token(Kind.NEWLINE, "newline", line));
                }
                i++;
                line++;
                lineStart = brackets == 0;
            } else if (c == ' ' || c == '\t' || c == '\r') {
                i++;
            } else if (c == '#') {
                while (i < s.length() && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i += 2;
                line++;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
                out.add(new Token(Kind.NAME, s.substring(start, i), line));
            } else if (Character.isDigit(c) || c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                number();
            } else if (c == '"' || c == '\'') {
                string(c);
            } else {
                op();
            }
        }
        out.add(new Token(Kind.NEWLINE, "newline", line));
        while (indents.size() > 1) {
            indents.pop();
            out.add(new Token(Kind.DEDENT, "dedent", line));
        }
        out.add(new Token(Kind.EOF, "end of file", line));
        return out;
    }

    /** Reads a line's leading spaces; returns true when the line is blank or a comment. */
    private boolean indentation() throws CheckpointFormatException {
        int width = 0;
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
            width++;
        }
        if (i >= s.length() || s.charAt(i) == '\n' || s.charAt(i) == '#' || s.charAt(i) == '\r') {
            return true;
        }
        if (s.charAt(i) == '\t') {
            throw error("tabs in indentation are not supported");
        }
        if (width > indents.peek()) {
            indents.push(width);
            out.add(new Token(Kind.INDENT, "indent", line));
        }
        while (width < indents.peek()) {
            indents.pop();
            out.add(new Token(Kind.DEDENT, "dedent", line));
        }
        if (width != indents.peek()) {
            throw error("inconsistent indentation");
        }
        return false;
    }

    private void number() {
        int start = i;
        boolean isFloat = false;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isDigit(c)) {
                i++;
            } else if (c == '.' || c == 'e' || c == 'E') {
                isFloat = true;
                i++;
                if ((c == 'e' || c == 'E') && i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
                    i++;
                }
            } else {
                break;
            }
        }
        out.add(new Token(isFloat ? Kind.FLOAT : Kind.INT, s.substring(start, i), line));
    }

    private void string(char quote) throws CheckpointFormatException {
        StringBuilder sb = new StringBuilder();
        i++;
        while (true) {
            if (i >= s.length() || s.charAt(i) == '\n') {
                throw error("unterminated string");
            }
            char c = s.charAt(i++);
            if (c == quote) {
                break;
            }
            if (c == '\\') {
                if (i >= s.length()) {
                    throw error("unterminated string");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case '\\', '\'', '"' -> sb.append(e);
                    default -> throw error("string escape \\" + e + " is not supported");
                }
            } else {
                sb.append(c);
            }
        }
        out.add(new Token(Kind.STRING, sb.toString(), line));
    }

    private void op() throws CheckpointFormatException {
        for (String op : OPS) {
            if (s.startsWith(op, i)) {
                i += op.length();
                if (op.equals("(") || op.equals("[")) {
                    brackets++;
                } else if ((op.equals(")") || op.equals("]")) && brackets > 0) {
                    brackets--;
                }
                out.add(new Token(Kind.OP, op, line));
                return;
            }
        }
        throw error("unexpected character '" + s.charAt(i) + "'");
    }

    /** Parses an int literal; values beyond 64 bits are refused. */
    static long parseInt(String text, Function<String, CheckpointFormatException> error)
            throws CheckpointFormatException {
        if (text.length() > 19 || new BigInteger(text).bitLength() > 63) {
            throw error.apply("integer " + (text.length() > 30 ? text.substring(0, 30) + "..." : text)
                    + " does not fit 64 bits");
        }
        return Long.parseLong(text);
    }

    private CheckpointFormatException error(String reason) {
        return new CheckpointFormatException(archive, "code/" + path + " line " + line + ": " + reason);
    }
}
