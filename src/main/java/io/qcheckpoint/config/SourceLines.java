package io.qcheckpoint.config;

import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Where in a YAML file each constructed mapping, list and tuple came from, so that a type error
 * found after construction can still name its line. Containers are tracked by identity: two equal
 * mappings on different lines are different containers.
 */
final class SourceLines {
    /** No line information (a config built from an unpickled map). */
    static final SourceLines NONE = new SourceLines();

    private final Map<Object, Integer> containers = new IdentityHashMap<>();
    private final Map<Object, Map<Object, Integer>> entries = new IdentityHashMap<>();

    void container(Object container, int line) {
        if (this != NONE) {
            containers.put(container, line);
        }
    }

    void entry(Object container, Object keyOrIndex, int line) {
        if (this != NONE) {
            entries.computeIfAbsent(container, c -> new HashMap<>()).put(keyOrIndex, line);
        }
    }

    /**
     * Returns the line of an entry of a container (a mapping's key, a list's index), or of the
     * container itself when the entry is not known.
     *
     * @param container the mapping, list or tuple
     * @param keyOrIndex the entry's key or index, or null for the container itself
     * @return the 1-based line, or null when unknown
     */
    Integer line(Object container, Object keyOrIndex) {
        Map<Object, Integer> e = entries.get(container);
        Integer line = e == null || keyOrIndex == null ? null : e.get(keyOrIndex);
        return line != null ? line : containers.get(container);
    }
}
