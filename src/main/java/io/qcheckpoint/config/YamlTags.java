package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The allowlist of YAML tags a tune config may carry, and what each one is read as. Everything is
 * read as plain data; no tag names a class to instantiate or a function to call.
 *
 * <p>LPOT 1.2+ reads with {@code yaml.safe_load} plus {@code !!python/tuple}. iLiT 1.0 and LPOT
 * 1.0/1.1 read (and their PyYAML {@code Dumper} wrote) with the full loader, so their files may hold
 * PyYAML's python tags for plain data: an op map dumped as
 * {@code !!python/object/apply:collections.OrderedDict}, and the FullConstructor's data tags
 * ({@code !!python/str}, {@code !!python/unicode}, {@code !!python/none}...), and LPOT's (iLiT's)
 * {@code DotDict}, a dict subclass, as {@code !!python/object/new:lpot.conf.dotdict.DotDict} with its
 * items under {@code dictitems} (an empty one as {@code !!python/object:lpot.conf.dotdict.DotDict {}}).
 * Those are read as the data they denote, never constructing anything. Any other
 * {@code tag:yaml.org,2002:python/} tag ({@code python/object/apply:os.system},
 * {@code python/object/new:subprocess.Popen}, {@code python/name:...}, {@code python/module:...})
 * is refused as unsafe; any other tag at all ({@code !!binary}, {@code !!timestamp}, {@code !!set},
 * {@code !local}) as a format error.
 */
final class YamlTags {
    /** PyYAML's prefix for its python-specific tags. */
    static final String PYTHON = "tag:yaml.org,2002:python/";
    private static final String YAML = "tag:yaml.org,2002:";

    /** What a tag is read as, and from which kind of node. */
    enum Kind {
        /** Python None, from a scalar (PyYAML ignores the text). */
        NULL,
        /** Python bool, from a scalar. */
        BOOL,
        /** Python int, from a scalar. */
        INT,
        /** Python float, from a scalar. */
        FLOAT,
        /** Python str, from a scalar. */
        STR,
        /** Python list, from a sequence. */
        SEQ,
        /** Python dict, from a mapping. */
        MAP,
        /** Python tuple, from a sequence. */
        TUPLE,
        /** {@code collections.OrderedDict(...)} with plain-data arguments, from a sequence or a mapping. */
        ORDERED_DICT,
        /** A {@code DotDict} (a dict subclass) built by {@code __new__}: a mapping of {@code dictitems} only. */
        DOT_DICT,
        /** A {@code DotDict} written with its instance state: only the empty one (no state) is data. */
        DOT_DICT_STATE
    }

    /** The modules LPOT 1.0/1.1, iLiT and Neural Compressor keep their {@code DotDict} in. */
    private static final List<String> DOT_DICT_MODULES = List.of("lpot.conf.dotdict", "ilit.conf.dotdict",
            "neural_compressor.conf.dotdict");

    private static final Map<String, Kind> ALLOWED = allowed();

    private static Map<String, Kind> allowed() {
        Map<String, Kind> tags = new HashMap<>(Map.ofEntries(
                Map.entry(YAML + "null", Kind.NULL),
                Map.entry(YAML + "bool", Kind.BOOL),
                Map.entry(YAML + "int", Kind.INT),
                Map.entry(YAML + "float", Kind.FLOAT),
                Map.entry(YAML + "str", Kind.STR),
                Map.entry(YAML + "seq", Kind.SEQ),
                Map.entry(YAML + "map", Kind.MAP),
                Map.entry(PYTHON + "tuple", Kind.TUPLE),
                Map.entry(PYTHON + "none", Kind.NULL),
                Map.entry(PYTHON + "bool", Kind.BOOL),
                Map.entry(PYTHON + "int", Kind.INT),
                Map.entry(PYTHON + "long", Kind.INT),
                Map.entry(PYTHON + "float", Kind.FLOAT),
                Map.entry(PYTHON + "str", Kind.STR),
                Map.entry(PYTHON + "unicode", Kind.STR),
                Map.entry(PYTHON + "list", Kind.SEQ),
                Map.entry(PYTHON + "dict", Kind.MAP),
                Map.entry(PYTHON + "object/apply:collections.OrderedDict", Kind.ORDERED_DICT)));
        for (String module : DOT_DICT_MODULES) {
            tags.put(PYTHON + "object/new:" + module + ".DotDict", Kind.DOT_DICT);
            tags.put(PYTHON + "object:" + module + ".DotDict", Kind.DOT_DICT_STATE);
        }
        return Map.copyOf(tags);
    }

    private YamlTags() {
    }

    /**
     * Returns what {@code tag} is read as.
     *
     * @param tag the full tag, as the parser expanded it
     * @param source the file, for messages
     * @param line the 1-based line of the node carrying the tag
     * @return the kind
     * @throws UnsafeCheckpointException for a python tag outside the allowlist
     * @throws CheckpointFormatException for any other tag outside it
     */
    static Kind kind(String tag, String source, int line) throws CheckpointFormatException, UnsafeCheckpointException {
        Kind kind = ALLOWED.get(tag);
        if (kind != null) {
            return kind;
        }
        if (tag.startsWith(PYTHON)) {
            throw new UnsafeCheckpointException(source, "line " + line + ": refused the tag " + shortForm(tag)
                    + ": it is not in the allowlist of python tags read as data (" + pythonAllowlist()
                    + "); nothing in the file was constructed or run");
        }
        throw new CheckpointFormatException(source, "line " + line + ": unsupported YAML tag " + shortForm(tag)
                + " (a tune config holds only null, bool, int, float, str, lists, mappings and !!python/tuple)");
    }

    /** Returns whether {@code tag} is in the allowlist. */
    static boolean isAllowed(String tag) {
        return ALLOWED.containsKey(tag);
    }

    /** Returns {@code !!x} for {@code tag:yaml.org,2002:x}, as PyYAML writes it. */
    static String shortForm(String tag) {
        return tag.startsWith(YAML) ? "!!" + tag.substring(YAML.length()) : tag;
    }

    private static String pythonAllowlist() {
        TreeSet<String> names = new TreeSet<>();
        for (String tag : ALLOWED.keySet()) {
            if (tag.startsWith(PYTHON)) {
                names.add(shortForm(tag));
            }
        }
        return String.join(", ", names);
    }
}
