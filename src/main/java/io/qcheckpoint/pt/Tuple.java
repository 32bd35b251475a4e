package io.qcheckpoint.pt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple: an immutable sequence, kept distinct from a list so that it is written back as a
 * tuple. Items may be null (Python's {@code None}). A {@code torch.Size} is a tuple that remembers
 * it is one ({@link #isTorchSize()}), so that it is written back as a {@code torch.Size}.
 */
public final class Tuple {
    private static final Tuple EMPTY = new Tuple(List.of(), false);
    private final List<Object> items;
    private final boolean torchSize;

    private Tuple(List<Object> items, boolean torchSize) {
        this.items = items;
        this.torchSize = torchSize;
    }

    /**
     * Creates a {@code torch.Size} of the given dimensions (copied).
     *
     * @param dims the sizes
     * @return the tuple, marked as a torch.Size
     */
    public static Tuple torchSize(List<?> dims) {
        return new Tuple(Collections.unmodifiableList(new ArrayList<>(dims)), true);
    }

    /** Returns whether this tuple is a {@code torch.Size}. */
    public boolean isTorchSize() {
        return torchSize;
    }

    /**
     * Creates a tuple of the given items (copied).
     *
     * @param items the items, nulls allowed
     * @return the tuple
     */
    public static Tuple of(Object... items) {
        return items.length == 0 ? EMPTY : new Tuple(Collections.unmodifiableList(Arrays.asList(items.clone())), false);
    }

    /**
     * Creates a tuple of the given items (copied).
     *
     * @param items the items, nulls allowed
     * @return the tuple
     */
    public static Tuple copyOf(List<?> items) {
        return items.isEmpty() ? EMPTY : new Tuple(Collections.unmodifiableList(new ArrayList<>(items)), false);
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
        return o instanceof Tuple t && torchSize == t.torchSize && items.equals(t.items);
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
