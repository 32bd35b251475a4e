package io.qcheckpoint.pt;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A module's state dict: dotted keys in order, to tensors (and, for packed quantized modules, to
 * tuples and dtypes), with torch's {@code _metadata}: module prefix (no trailing dot, {@code ""}
 * for the root) to its metadata, such as {@code {"version": 3}}.
 *
 * <p>Written as torch writes {@code module.state_dict()}: an {@code OrderedDict} whose
 * {@code _metadata} attribute follows the items.
 */
public final class StateDict {
    private final LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    private final LinkedHashMap<String, Map<String, Object>> metadata = new LinkedHashMap<>();

    /** Creates an empty state dict. */
    public StateDict() {
    }

    /**
     * Builds a state dict from an unpickled {@code OrderedDict} (or dict) with string keys.
     *
     * @param root the unpickled value
     * @param file the file it came from, for messages
     * @return the state dict
     * @throws CheckpointFormatException if the value is not a map with string keys, or its
     *     {@code _metadata} is malformed
     */
    public static StateDict fromPickled(Object root, String file) throws CheckpointFormatException {
        if (!(root instanceof Map<?, ?> map)) {
            throw new CheckpointFormatException(file, "holds a " + TorchGlobals.describe(root) + ", not a state dict");
        }
        StateDict sd = new StateDict();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new CheckpointFormatException(file, "state dict key " + TorchGlobals.describe(e.getKey())
                        + " is not a string");
            }
            sd.entries.put(k, e.getValue());
        }
        Map<Object, Object> meta = root instanceof OrderedDict d ? d.metadata() : null;
        if (meta != null) {
            for (Map.Entry<Object, Object> e : meta.entrySet()) {
                if (!(e.getKey() instanceof String prefix) || !(e.getValue() instanceof Map<?, ?> m)) {
                    throw new CheckpointFormatException(file, "_metadata entries must map a module prefix to a dict");
                }
                Map<String, Object> copy = new LinkedHashMap<>();
                for (Map.Entry<?, ?> me : m.entrySet()) {
                    copy.put(String.valueOf(me.getKey()), me.getValue());
                }
                sd.metadata.put(prefix, copy);
            }
        }
        return sd;
    }

    /**
     * Sets {@code key} to {@code value}, keeping the key's first position.
     *
     * @param key the dotted key
     * @param value a tensor, tuple, dtype, or other picklable value
     * @return this
     */
    public StateDict put(String key, Object value) {
        entries.put(key, value);
        return this;
    }

    /**
     * Returns the value at {@code key}, or null.
     *
     * @param key the dotted key
     * @return the value
     */
    public Object get(String key) {
        return entries.get(key);
    }

    /**
     * Returns the tensor at {@code key}.
     *
     * @param key the dotted key
     * @return the tensor
     * @throws IllegalArgumentException if there is none, or the value is not a tensor
     */
    public Tensor tensor(String key) {
        if (entries.get(key) instanceof Tensor t) {
            return t;
        }
        throw new IllegalArgumentException(entries.containsKey(key) ? "state dict value '" + key + "' is not a tensor"
                : "state dict has no key '" + key + "'");
    }

    /** Returns the keys in order, unmodifiable. */
    public Set<String> keys() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Returns the entries in order, unmodifiable. */
    public Map<String, Object> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** Returns the number of entries. */
    public int size() {
        return entries.size();
    }

    /**
     * Sets the metadata of the module at {@code prefix}.
     *
     * @param prefix the module's dotted path, {@code ""} for the root
     * @param values the module's metadata, e.g. {@code {"version": 1}}
     * @return this
     */
    public StateDict putMetadata(String prefix, Map<String, Object> values) {
        metadata.put(prefix, new LinkedHashMap<>(values));
        return this;
    }

    /** Returns the metadata by module prefix, in order, unmodifiable. */
    public Map<String, Map<String, Object>> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** Returns {@code _metadata} as torch pickles it: an OrderedDict of plain dicts. */
    OrderedDict metadataAsOrderedDict() {
        OrderedDict d = new OrderedDict();
        for (Map.Entry<String, Map<String, Object>> e : metadata.entrySet()) {
            d.put(e.getKey(), new LinkedHashMap<Object, Object>(e.getValue()));
        }
        return d;
    }

    /** Returns this state dict as the {@code OrderedDict} torch would unpickle. */
    public OrderedDict toOrderedDict() {
        OrderedDict d = new OrderedDict();
        d.putAll(entries);
        d.attributes().put(OrderedDict.METADATA, metadataAsOrderedDict());
        return d;
    }

    @Override
    public String toString() {
        return "StateDict" + entries.keySet();
    }
}
