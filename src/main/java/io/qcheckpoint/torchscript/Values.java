package io.qcheckpoint.torchscript;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * The values compiled code passes around: NDArray for Tensor, Long for int, Double for float,
 * Boolean, String, null for None, and unmodifiable {@code List<Object>} for lists and tuples.
 * These casts turn a wrong value into a message that names what was expected.
 */
final class Values {
    private Values() {
    }

    static NDArray tensor(Object v) {
        if (v instanceof NDArray a) {
            return a;
        }
        throw new IllegalArgumentException("expected a Tensor, got " + describe(v));
    }

    static long integer(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Boolean b) {
            return b ? 1 : 0;
        }
        throw new IllegalArgumentException("expected an int, got " + describe(v));
    }

    static double number(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return d;
        }
        throw new IllegalArgumentException("expected a number, got " + describe(v));
    }

    static boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        throw new IllegalArgumentException("expected a bool, got " + describe(v));
    }

    static String string(Object v) {
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("expected a str, got " + describe(v));
    }

    static List<?> list(Object v) {
        if (v instanceof List<?> l) {
            return l;
        }
        throw new IllegalArgumentException("expected a list, got " + describe(v));
    }

    static long[] longs(Object v) {
        if (v instanceof Long l) {
            return new long[] {l};
        }
        List<?> l = list(v);
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(l.get(i));
        }
        return out;
    }

    static int[] ints(Object v) {
        long[] l = longs(v);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = Math.toIntExact(l[i]);
        }
        return out;
    }

    static String describe(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof NDArray a) {
            return "a Tensor of shape " + a.getShape();
        }
        if (v instanceof List<?> l) {
            return "a list of " + l.size();
        }
        return "a " + v.getClass().getSimpleName() + " (" + v + ")";
    }
}
