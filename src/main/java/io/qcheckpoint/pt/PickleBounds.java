package io.qcheckpoint.pt;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The limits every unpickled value must keep, so that whatever walks it later (tensor listing, key
 * paths, inspect, config reading) finishes in bounded time, memory and stack, however few bytes the
 * pickle spent on it.
 *
 * <p>A pickle can share one object many times through its memo: {@code [x, x]} nested 40 levels is a
 * few hundred bytes that unfold into 2^40 elements for anything that walks it as a tree. So the
 * budget counts the value as its walkers see it, the tree it unfolds into, in elements and in
 * string and byte content, computed once per shared object. A pickle can also make a container
 * contain itself, which no walk ends on; torch files never do, so such values are refused.
 */
final class PickleBounds {
    /**
     * The deepest nesting of containers: as deep as the writer goes and Python's recursion limit;
     * state dicts nest a few levels, configs under ten.
     */
    static final int MAX_DEPTH = 1000;
    /** The most elements (containers and scalars) the value unfolds into as a tree. */
    static final long MAX_ELEMENTS = 1L << 22;
    /** The most string and byte characters the value unfolds into as a tree. */
    static final long MAX_CONTENT = 64L << 20;

    private final String source;
    private final Map<Object, Unfolded> done = new IdentityHashMap<>();
    private final Map<Object, Boolean> open = new IdentityHashMap<>();

    /** What one value unfolds into: nesting depth, elements, and characters of content. */
    private record Unfolded(int depth, long elements, long content) {
    }

    private PickleBounds(String source) {
        this.source = source;
    }

    /**
     * Checks a value that an unpickler built.
     *
     * @param root the value
     * @param source the file and record, for messages
     * @throws CheckpointFormatException if it nests deeper than {@link #MAX_DEPTH}, contains itself,
     *     or unfolds into more than {@link #MAX_ELEMENTS} elements or {@link #MAX_CONTENT} characters
     */
    static void check(Object root, String source) throws CheckpointFormatException {
        new PickleBounds(source).unfold(root);
    }

    /** One container on the walk's path, with the index of its next child. */
    private static final class Frame {
        final Object container;
        final List<Object> children;
        int next;

        Frame(Object container, List<Object> children) {
            this.container = container;
            this.children = children;
        }
    }

    /** Post-order over the object graph with an explicit path: a deep value cannot overflow Java's stack. */
    private void unfold(Object root) throws CheckpointFormatException {
        Deque<Frame> path = new ArrayDeque<>();
        enter(root, path);
        while (!path.isEmpty()) {
            Frame f = path.peek();
            if (f.next == f.children.size()) {
                path.pop();
                open.remove(f.container);
                done.put(f.container, combine(f.children));
                continue;
            }
            Object c = f.children.get(f.next++);
            if (open.containsKey(c)) {
                throw new CheckpointFormatException(source, "a container contains itself; refused");
            }
            if (!done.containsKey(c)) {
                enter(c, path);
            }
        }
    }

    private void enter(Object o, Deque<Frame> path) throws CheckpointFormatException {
        List<Object> children = children(o);
        if (children.isEmpty()) {
            done.put(o, leaf(o));
            return;
        }
        if (path.size() >= MAX_DEPTH) {
            throw new CheckpointFormatException(source, "containers nest deeper than " + MAX_DEPTH + " levels");
        }
        open.put(o, Boolean.TRUE);
        path.push(new Frame(o, children));
    }

    private Unfolded combine(List<Object> children) throws CheckpointFormatException {
        int depth = 0;
        long elements = 1;
        long content = 0;
        for (Object c : children) {
            Unfolded u = done.get(c);
            depth = Math.max(depth, u.depth() + 1);
            elements += u.elements();
            content += u.content();
            if (depth > MAX_DEPTH) {
                throw new CheckpointFormatException(source, "containers nest deeper than " + MAX_DEPTH + " levels");
            }
            if (elements > MAX_ELEMENTS || content > MAX_CONTENT) {
                throw new CheckpointFormatException(source, "the pickle's shared objects unfold into more than "
                        + MAX_ELEMENTS + " elements or " + MAX_CONTENT + " characters; refused");
            }
        }
        return new Unfolded(depth, elements, content);
    }

    private static Unfolded leaf(Object o) {
        long content = o instanceof String s ? s.length() : o instanceof byte[] b ? b.length : 0;
        return new Unfolded(0, 1, content);
    }

    private static List<Object> children(Object o) {
        List<Object> out = new ArrayList<>();
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.add(e.getKey());
                out.add(e.getValue());
            }
            if (o instanceof OrderedDict d) {
                out.addAll(d.attributes().values());
            }
        } else if (o instanceof Collection<?> c) {
            out.addAll(c);
        } else if (o instanceof Tuple t) {
            out.addAll(t.items());
        } else if (o instanceof ScriptObject s) {
            out.addAll(s.attributes().values());
        }
        return out;
    }
}
