package io.qcheckpoint.pt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple: an immutable sequence, kept distinct from a list so that it is written back as a
 * tuple. Items may be null (Python's {@code None}).
 */
public final class Tuple {
    private static final Tuple EMPTY = new Tuple(List.of());
    private final List<Object> items;

    private Tuple(List<Object> items) {
        this.items = items;
    }

    /**
     * Creates a tuple of the given items (copied).
     *
     * @param items the items, nulls allowed
     * @return the tuple
     */
    public static Tuple of(Object... items) {
        return items.length == 0 ? EMPTY : new Tuple(Collections.unmodifiableList(Arrays.asList(items.clone())));
    }

    /**
     * Creates a tuple of the given items (copied).
     *
     * @param items the items, nulls allowed
     * @return the tuple
     */
    public static Tuple copyOf(List<?> items) {
        return items.isEmpty() ? EMPTY : new Tuple(Collections.unmodifiableList(new ArrayList<>(items)));
    }

    /** Returns the items, unmodifiable. */
    public List<Object> items() {
        return items;
    }

    /** Returns the number of items. */
    public int size() {
        return items.size();
    }

    /**
     * Returns the item at {@code index}.
     *
     * @param index the position
     * @return the item, possibly null
     * @throws IndexOutOfBoundsException if there is no such item
     */
    public Object get(int index) {
        return items.get(index);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tuple t && items.equals(t.items);
    }

    @Override
    public int hashCode() {
        return items.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(items.get(i));
        }
        return sb.append(items.size() == 1 ? ",)" : ")").toString();
    }
}
