package io.qcheckpoint.config;

import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * PyYAML 6.0's implicit resolvers ({@code yaml/resolver.py}): which plain scalars read as null,
 * bool, int, float, timestamp, merge or value rather than str.
 *
 * <p>SnakeYAML's own table differs (it reads {@code 1e5} as a float, PyYAML as a string), so the
 * reader uses this one to see what LPOT sees, and the writer uses it to decide, as PyYAML does,
 * which strings must be quoted. Patterns are PyYAML's verbose regexes with the whitespace removed;
 * the lists of first characters are PyYAML's; the order is PyYAML's registration order.
 */
final class PyYamlResolver extends Resolver {
    static final Tag MERGE_TAG = new Tag(Tag.PREFIX + "merge");
    static final Tag VALUE_TAG = new Tag(Tag.PREFIX + "value");
    static final Tag YAML_TAG = new Tag(Tag.PREFIX + "yaml");

    private static final Pattern PY_BOOL = Pattern.compile(
            "yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    private static final Pattern PY_FLOAT = Pattern.compile(
            "[-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+][0-9]+)?"
            + "|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
            + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*"
            + "|[-+]?\\.(?:inf|Inf|INF)"
            + "|\\.(?:nan|NaN|NAN)");
    private static final Pattern PY_INT = Pattern.compile(
            "[-+]?0b[0-1_]+"
            + "|[-+]?0[0-7_]+"
            + "|[-+]?(?:0|[1-9][0-9_]*)"
            + "|[-+]?0x[0-9a-fA-F_]+"
            + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
    private static final Pattern PY_MERGE = Pattern.compile("<<");
    private static final Pattern PY_NULL = Pattern.compile("~|null|Null|NULL|");
    private static final Pattern PY_TIMESTAMP = Pattern.compile(
            "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
            + "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
            + "(?:[Tt]|[ \\t]+)[0-9][0-9]?"
            + ":[0-9][0-9]:[0-9][0-9](?:\\.[0-9]*)?"
            + "(?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?");
    private static final Pattern PY_VALUE = Pattern.compile("=");
    private static final Pattern PY_YAML = Pattern.compile("!|&|\\*");
    /** PyYAML has no length limit; SnakeYAML's default would read a long run of digits as a string. */
    private static final int NO_LIMIT = Integer.MAX_VALUE;

    @Override
    protected void addImplicitResolvers() {
        addImplicitResolver(Tag.BOOL, PY_BOOL, "yYnNtTfFoO", NO_LIMIT);
        addImplicitResolver(Tag.FLOAT, PY_FLOAT, "-+0123456789.", NO_LIMIT);
        addImplicitResolver(Tag.INT, PY_INT, "-+0123456789", NO_LIMIT);
        addImplicitResolver(MERGE_TAG, PY_MERGE, "<", NO_LIMIT);
        // '\0' is SnakeYAML's key for the empty scalar, which PyYAML files under ''
        addImplicitResolver(Tag.NULL, PY_NULL, "~nN\0", NO_LIMIT);
        addImplicitResolver(Tag.TIMESTAMP, PY_TIMESTAMP, "0123456789", NO_LIMIT);
        addImplicitResolver(VALUE_TAG, PY_VALUE, "=", NO_LIMIT);
        addImplicitResolver(YAML_TAG, PY_YAML, "!&*", NO_LIMIT);
    }

    /**
     * Returns the tag PyYAML gives {@code value} written as a plain scalar. Python's {@code $} also
     * matches before a final newline, so {@code "true\n"} resolves as a bool there; this does too.
     *
     * @param value the scalar's text
     * @return the resolved tag; {@link Tag#STR} when no implicit resolver matches
     */
    Tag resolvePlain(String value) {
        Tag tag = resolve(NodeId.scalar, value, true);
        if (tag.equals(Tag.STR) && value.endsWith("\n") && !value.isEmpty()) {
            String head = value.substring(0, value.length() - 1);
            // PyYAML picks the resolvers by the first character of the whole value
            if (!head.isEmpty() && head.charAt(0) == value.charAt(0)) {
                return resolve(NodeId.scalar, head, true);
            }
        }
        return tag;
    }
}
