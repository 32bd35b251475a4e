package io.qcheckpoint.config;

import io.qcheckpoint.pt.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * PyYAML's representer and serializer for config data, as {@code yaml.dump(data,
 * default_flow_style=False)} runs them with the full {@code Dumper}: which tag each value gets,
 * whether the tag can be left implicit under PyYAML's resolvers, how a float is spelled. The events
 * go to {@link PyYamlEmitter}; the result is PyYAML's text byte for byte.
 *
 * <p>Mappings are written in their iteration order; LPOT's sorting of the top level is the caller's
 * (see {@link TuneConfig#toMap()}). No anchors are written: Java values share nothing.
 */
final class YamlOutput {
    private static final String PYTHON_TUPLE = YamlTags.PYTHON + "tuple";

    private final PyYamlResolver resolver = new PyYamlResolver();
    private final List<YamlEvent> events = new ArrayList<>();

    private YamlOutput() {
    }

    /**
     * Returns the YAML document for {@code value}.
     *
     * @param value config data (see {@link ConfigValues})
     * @return the text, ending with a newline
     * @throws IllegalArgumentException if the value holds something else
     */
    static String dump(Object value) {
        YamlOutput y = new YamlOutput();
        y.node(value);
        return PyYamlEmitter.emit(y.events);
    }

    private void node(Object v) {
        if (v == null) {
            scalar(Tag.NULL, "null");
        } else if (v instanceof Boolean b) {
            scalar(Tag.BOOL, b ? "true" : "false");
        } else if (v instanceof Long || v instanceof Integer || v instanceof BigInteger) {
            scalar(Tag.INT, v.toString());
        } else if (v instanceof Double d) {
            scalar(Tag.FLOAT, floatText(d));
        } else if (v instanceof String s) {
            scalar(Tag.STR, s);
        } else if (v instanceof Tuple t) {
            sequence(PYTHON_TUPLE, false, t.items());
        } else if (v instanceof List<?> l) {
            sequence(Tag.SEQ.getValue(), true, l);
        } else if (v instanceof Map<?, ?> m) {
            events.add(new YamlEvent.MappingStart(Tag.MAP.getValue(), true));
            for (Map.Entry<?, ?> e : m.entrySet()) {
                node(e.getKey());
                node(e.getValue());
            }
            events.add(new YamlEvent.MappingEnd());
        } else {
            throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " to YAML");
        }
    }

    private void sequence(String tag, boolean implicit, List<?> items) {
        events.add(new YamlEvent.SequenceStart(tag, implicit));
        for (Object item : items) {
            node(item);
        }
        events.add(new YamlEvent.SequenceEnd());
    }

    /**
     * PyYAML's serializer: the tag may be omitted from a plain scalar when the resolver would give it
     * back, and from a quoted one when it is str.
     */
    private void scalar(Tag tag, String text) {
        events.add(new YamlEvent.Scalar(tag.getValue(), resolver.resolvePlain(text).equals(tag), tag.equals(Tag.STR), text));
    }

    /**
     * PyYAML's represent_float: {@code .nan}, {@code .inf}, {@code -.inf}, else {@code repr(x).lower()}
     * with {@code .0} put before an exponent that has no point ({@code 1e-05} becomes {@code 1.0e-05}),
     * since YAML 1.1's float needs one.
     */
    static String floatText(double d) {
        if (Double.isNaN(d)) {
            return ".nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? ".inf" : "-.inf";
        }
        String r = PythonFloats.repr(d);
        return r.indexOf('.') < 0 && r.indexOf('e') >= 0 ? r.replaceFirst("e", ".0e") : r;
    }
}
