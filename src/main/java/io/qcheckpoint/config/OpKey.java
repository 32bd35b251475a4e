package io.qcheckpoint.config;

import io.qcheckpoint.pt.Tuple;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A key of the tune config's {@code op} map: the module's path in the model and its op type, the
 * Python tuple {@code (name, type)} (fused types unified: ConvReLU2d is listed as Conv2d).
 *
 * @param name the module path, e.g. {@code layer1.0.conv1}
 * @param type the op type, e.g. {@code Conv2d}
 */
public record OpKey(String name, String type) {
    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public OpKey {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }

    /**
     * Reads a key as LPOT stores it: a tuple of two strings ({@link Tuple} from a pickle or
     * {@code !!python/tuple}), or a two-item list.
     *
     * @param key the key
     * @return the op key, or empty if {@code key} is not two strings
     */
    public static Optional<OpKey> from(Object key) {
        List<?> items = key instanceof Tuple t ? t.items() : key instanceof List<?> l ? l : null;
        if (items != null && items.size() == 2 && items.get(0) instanceof String n && items.get(1) instanceof String ty) {
            return Optional.of(new OpKey(n, ty));
        }
        return Optional.empty();
    }

    /** Returns the key as the Python tuple LPOT writes. */
    public Tuple toTuple() {
        return Tuple.of(name, type);
    }

    /** Returns {@code (name, type)}, as key paths in messages show it. */
    @Override
    public String toString() {
        return "(" + name + ", " + type + ")";
    }
}
