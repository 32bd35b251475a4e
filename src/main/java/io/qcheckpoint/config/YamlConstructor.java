package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.Tuple;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Turns a checked YAML node graph into plain Java values, the way PyYAML's constructors turn it
 * into Python ones: null, Boolean, Long (BigInteger past 64 bits), Double, String, {@link List},
 * {@link Tuple}, and insertion-ordered {@link LinkedHashMap}s (a duplicate key keeps its first
 * place and takes the last value, as a Python dict does). One instance per document.
 *
 * <p>Aliases are expanded, as Python would share the object: a budget on the number of values built
 * stops alias bombs, and an alias back into the node being built (a recursive structure) is refused.
 */
final class YamlConstructor {
    /** Most values one document may expand to. */
    static final int MAX_VALUES = 1_000_000;
    private static final int MAX_DEPTH = 256;
    private static final Pattern FLOAT_TEXT = Pattern.compile("(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:e[-+]?[0-9]+)?");

    private final String source;
    private final SourceLines lines;
    private final Set<Node> building = Collections.newSetFromMap(new IdentityHashMap<>());
    private int built;

    YamlConstructor(String source, SourceLines lines) {
        this.source = source;
        this.lines = lines;
    }

    /**
     * Builds the value of {@code node} and everything under it.
     *
     * @param node a node composed by {@link YamlInput}
     * @return the value
     * @throws CheckpointFormatException if a scalar does not read as its tag says, a key is
     *     unhashable, an alias recurses, or the document expands past {@link #MAX_VALUES}
     * @throws UnsafeCheckpointException never for a graph from {@link YamlInput} (tags were checked)
     */
    Object construct(Node node) throws CheckpointFormatException, UnsafeCheckpointException {
        return build(node, 0);
    }

    private Object build(Node node, int depth) throws CheckpointFormatException, UnsafeCheckpointException {
        if (++built > MAX_VALUES || depth > MAX_DEPTH) {
            throw error(node, "the document expands to more than " + MAX_VALUES + " values or " + MAX_DEPTH
                    + " levels (aliases are expanded); refused");
        }
        if (!building.add(node)) {
            throw error(node, "an alias refers to a node that contains it (a recursive structure); refused");
        }
        try {
            return buildTagged(node, depth);
        } finally {
            building.remove(node);
        }
    }

    private Object buildTagged(Node node, int depth) throws CheckpointFormatException, UnsafeCheckpointException {
        String tag = node.getTag().getValue();
        if (node instanceof ScalarNode s && isImplicitOnly(node.getTag())) {
            throw error(node, "the plain scalar '" + Excerpt.of(s.getValue()) + "' reads as " + YamlTags.shortForm(tag)
                    + " in PyYAML, which a tune config cannot hold; quote it to make it a string");
        }
        YamlTags.Kind kind = YamlTags.kind(tag, source, line(node));
        switch (kind) {
            case NULL, BOOL, INT, FLOAT, STR:
                return scalar(node, kind);
            case SEQ:
                return list(sequence(node, tag), depth);
            case TUPLE:
                List<Object> items = list(sequence(node, tag), depth);
                Tuple t = Tuple.copyOf(items);
                lines.container(t, line(node));
                for (int i = 0; i < items.size(); i++) {
                    lines.entry(t, i, line(((SequenceNode) node).getValue().get(i)));
                }
                return t;
            case MAP:
                if (!(node instanceof MappingNode m)) {
                    throw error(node, YamlTags.shortForm(tag) + " needs a mapping");
                }
                return map(m, depth);
            case ORDERED_DICT:
                return orderedDict(node, depth);
            case DOT_DICT, DOT_DICT_STATE:
                return dotDict(node, kind, depth);
            default:
                throw new AssertionError(kind);
        }
    }

    private static boolean isImplicitOnly(Tag tag) {
        return tag.equals(Tag.TIMESTAMP) || tag.equals(PyYamlResolver.MERGE_TAG) || tag.equals(PyYamlResolver.VALUE_TAG)
                || tag.equals(PyYamlResolver.YAML_TAG);
    }

    private SequenceNode sequence(Node node, String tag) throws CheckpointFormatException {
        if (node instanceof SequenceNode s) {
            return s;
        }
        throw error(node, YamlTags.shortForm(tag) + " needs a sequence");
    }

    private List<Object> list(SequenceNode node, int depth) throws CheckpointFormatException, UnsafeCheckpointException {
        List<Object> out = new ArrayList<>();
        lines.container(out, line(node));
        for (Node item : node.getValue()) {
            lines.entry(out, out.size(), line(item));
            out.add(build(item, depth + 1));
        }
        return out;
    }

    private Map<Object, Object> map(MappingNode node, int depth) throws CheckpointFormatException, UnsafeCheckpointException {
        Map<Object, Object> out = new LinkedHashMap<>();
        lines.container(out, line(node));
        for (NodeTuple entry : node.getValue()) {
            Object key = build(entry.getKeyNode(), depth + 1);
            requireHashable(key, entry.getKeyNode());
            lines.entry(out, key, line(entry.getKeyNode()));
            out.put(key, build(entry.getValueNode(), depth + 1));
        }
        return out;
    }

    /**
     * PyYAML's {@code !!python/object/apply:collections.OrderedDict}: a sequence of arguments (none,
     * or one list of [key, value] pairs or one mapping), or a mapping of {@code args}, {@code kwds},
     * {@code state} (empty), {@code dictitems}.
     */
    private Object orderedDict(Node node, int depth) throws CheckpointFormatException, UnsafeCheckpointException {
        Map<Object, Object> out = new LinkedHashMap<>();
        lines.container(out, line(node));
        if (node instanceof SequenceNode s) {
            addArgs(out, list(s, depth), node);
            return out;
        }
        if (!(node instanceof MappingNode m)) {
            throw error(node, "!!python/object/apply:collections.OrderedDict needs a sequence or a mapping");
        }
        Map<Object, Object> spec = map(m, depth);
        if (spec.get("args") != null) {
            if (!(spec.get("args") instanceof List<?> args)) {
                throw error(node, "OrderedDict args must be a list");
            }
            addArgs(out, args, node);
        }
        for (String key : List.of("kwds", "dictitems")) {
            Object items = spec.get(key);
            if (items != null && !(items instanceof Map<?, ?>)) {
                throw error(node, "OrderedDict " + key + " must be a mapping");
            }
            if (items != null) {
                out.putAll((Map<?, ?>) items);
            }
        }
        for (String key : List.of("state", "listitems")) {
            Object v = spec.get(key);
            if (v != null && !(v instanceof Map<?, ?> mm && mm.isEmpty()) && !(v instanceof List<?> l && l.isEmpty())) {
                throw error(node, "OrderedDict " + key + " is not plain data; refused");
            }
        }
        return out;
    }

    /**
     * A {@code DotDict} as PyYAML dumps one, read as the mapping it is: {@code !!python/object/new:...DotDict}
     * is a mapping whose only key is {@code dictitems} (the items); {@code !!python/object:...DotDict}
     * is the instance state, which must be empty. Arguments, state, list items or any other key
     * would have PyYAML call into the class, so they are refused.
     */
    private Map<Object, Object> dotDict(Node node, YamlTags.Kind kind, int depth)
            throws CheckpointFormatException, UnsafeCheckpointException {
        String tag = YamlTags.shortForm(node.getTag().getValue());
        if (!(node instanceof MappingNode m)) {
            throw unsafe(node, tag + " must be a mapping of dictitems; refused");
        }
        Map<Object, Object> spec = map(m, depth);
        if (kind == YamlTags.Kind.DOT_DICT_STATE) {
            if (!spec.isEmpty()) {
                throw unsafe(node, tag + " carries instance state " + spec.keySet()
                        + " (set on the object when PyYAML builds it), not dict items; refused");
            }
            return spec;
        }
        for (Object key : spec.keySet()) {
            if (!"dictitems".equals(key)) {
                throw unsafe(node, tag + " has '" + key + "': only 'dictitems' is read as data; refused");
            }
        }
        Object items = spec.getOrDefault("dictitems", new LinkedHashMap<>());
        if (!(items instanceof Map<?, ?>)) {
            throw error(node, tag + ": dictitems must be a mapping");
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> out = (Map<Object, Object>) items;
        return out;
    }

    private void addArgs(Map<Object, Object> out, List<?> args, Node node) throws CheckpointFormatException {
        if (args.size() > 1) {
            throw error(node, "OrderedDict takes at most one argument, found " + args.size());
        }
        if (args.isEmpty()) {
            return;
        }
        Object arg = args.get(0);
        if (arg instanceof Map<?, ?> m) {
            out.putAll(m);
            return;
        }
        if (!(arg instanceof List<?> pairs)) {
            throw error(node, "OrderedDict's argument must be a list of [key, value] pairs or a mapping");
        }
        for (Object pair : pairs) {
            List<?> kv = pair instanceof Tuple t ? t.items() : pair instanceof List<?> l ? l : null;
            if (kv == null || kv.size() != 2) {
                throw error(node, "OrderedDict's argument must be a list of [key, value] pairs");
            }
            requireHashable(kv.get(0), node);
            out.put(kv.get(0), kv.get(1));
        }
    }

    private void requireHashable(Object key, Node node) throws CheckpointFormatException {
        if (key instanceof List<?> || key instanceof Map<?, ?>) {
            throw error(node, "found an unhashable mapping key (a " + (key instanceof List<?> ? "list" : "mapping")
                    + "), which Python cannot read either");
        }
        if (key instanceof Tuple t) {
            for (Object item : t.items()) {
                requireHashable(item, node);
            }
        }
    }

    private Object scalar(Node node, YamlTags.Kind kind) throws CheckpointFormatException {
        if (!(node instanceof ScalarNode s)) {
            throw error(node, YamlTags.shortForm(node.getTag().getValue()) + " needs a scalar");
        }
        String text = s.getValue();
        if ((kind == YamlTags.Kind.INT || kind == YamlTags.Kind.FLOAT) && text.length() > YamlInput.MAX_NUMBER_CHARS) {
            throw error(node, "a number of " + text.length() + " characters ('" + Excerpt.of(text) + "'), more than the "
                    + YamlInput.MAX_NUMBER_CHARS + " a tune config's numbers need; refused");
        }
        switch (kind) {
            case NULL:
                return null;
            case STR:
                return text;
            case BOOL:
                return bool(text, node);
            case INT:
                return integer(text, node);
            default:
                return floating(text, node);
        }
    }

    /** PyYAML's construct_yaml_bool. */
    private Boolean bool(String text, Node node) throws CheckpointFormatException {
        switch (text.toLowerCase(Locale.ROOT)) {
            case "yes", "true", "on":
                return Boolean.TRUE;
            case "no", "false", "off":
                return Boolean.FALSE;
            default:
                throw error(node, "'" + Excerpt.of(text) + "' is not a YAML bool");
        }
    }

    /** PyYAML's construct_yaml_int: underscores dropped, 0b / 0x / leading-0 octal / base-60 forms. */
    private Object integer(String text, Node node) throws CheckpointFormatException {
        String v = text.replace("_", "");
        try {
            BigInteger sign = v.startsWith("-") ? BigInteger.ONE.negate() : BigInteger.ONE;
            if (v.startsWith("-") || v.startsWith("+")) {
                v = v.substring(1);
            }
            BigInteger magnitude;
            if (v.equals("0")) {
                magnitude = BigInteger.ZERO;
            } else if (v.startsWith("0b")) {
                magnitude = new BigInteger(v.substring(2), 2);
            } else if (v.startsWith("0x")) {
                magnitude = new BigInteger(v.substring(2), 16);
            } else if (v.startsWith("0")) {
                magnitude = new BigInteger(v, 8);
            } else if (v.contains(":")) {
                magnitude = BigInteger.ZERO;
                for (String part : v.split(":", -1)) {
                    magnitude = magnitude.multiply(BigInteger.valueOf(60)).add(new BigInteger(part));
                }
            } else {
                magnitude = new BigInteger(v);
            }
            if (magnitude.signum() < 0 || v.isEmpty()) {
                throw new NumberFormatException(text);
            }
            return ConfigValues.normalize(magnitude.multiply(sign));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw error(node, "'" + Excerpt.of(text) + "' is not a YAML int");
        }
    }

    /** PyYAML's construct_yaml_float: underscores dropped, case folded, .inf / .nan / base-60 forms. */
    private Double floating(String text, Node node) throws CheckpointFormatException {
        String v = text.replace("_", "").toLowerCase(Locale.ROOT);
        double sign = v.startsWith("-") ? -1 : 1;
        if (v.startsWith("-") || v.startsWith("+")) {
            v = v.substring(1);
        }
        if (v.equals(".inf")) {
            return sign * Double.POSITIVE_INFINITY;
        }
        if (v.equals(".nan")) {
            return Double.NaN;
        }
        if (v.contains(":")) {
            double value = 0;
            for (String part : v.split(":", -1)) {
                value = value * 60 + pythonFloat(part, text, node);
            }
            return sign * value;
        }
        return sign * pythonFloat(v, text, node);
    }

    /** Python's float() on the forms it accepts here; Java's parser also takes hex, 'd' and 'f' suffixes, which Python does not. */
    private double pythonFloat(String v, String text, Node node) throws CheckpointFormatException {
        switch (v) {
            case "inf", "infinity":
                return Double.POSITIVE_INFINITY;
            case "nan":
                return Double.NaN;
            default:
                if (!FLOAT_TEXT.matcher(v).matches()) {
                    throw error(node, "'" + Excerpt.of(text) + "' is not a YAML float");
                }
                return Double.parseDouble(v);
        }
    }

    private static int line(Node node) {
        return node.getStartMark() == null ? 0 : node.getStartMark().getLine() + 1;
    }

    private CheckpointFormatException error(Node node, String reason) {
        return new CheckpointFormatException(source, "line " + line(node) + ": " + reason);
    }

    private UnsafeCheckpointException unsafe(Node node, String reason) {
        return new UnsafeCheckpointException(source, "line " + line(node) + ": " + reason);
    }
}
