package io.qcheckpoint.pt;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Python's {@code collections.OrderedDict}: an insertion-ordered map that may also carry instance
 * attributes. A state dict is one, with its module versions in the {@code _metadata} attribute.
 *
 * <p>Written back as {@code OrderedDict}; a plain {@link LinkedHashMap} is written as a {@code dict}.
 */
public final class OrderedDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;
    /** The attribute torch keeps module versions in. */
    public static final String METADATA = "_metadata";

    private final LinkedHashMap<String, Object> attributes = new LinkedHashMap<>();

    /** Creates an empty ordered dict with no attributes. */
    public OrderedDict() {
        super();
    }

    /**
     * Returns the instance attributes (set by pickle's BUILD), in order; modifiable.
     *
     * @return the attribute map
     */
    public Map<String, Object> attributes() {
        return attributes;
    }

    /**
     * Returns the {@code _metadata} attribute when it is a map, else null.
     *
     * @return torch's per-module metadata, or null
     */
    @SuppressWarnings("unchecked")
    public Map<Object, Object> metadata() {
        return attributes.get(METADATA) instanceof Map<?, ?> m ? (Map<Object, Object>) m : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OrderedDict d && super.equals(o) && attributes.equals(d.attributes);
    }

    @Override
    public int hashCode() {
        return super.hashCode() * 31 + attributes.hashCode();
    }
}
