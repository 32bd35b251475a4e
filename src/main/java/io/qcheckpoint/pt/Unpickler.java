package io.qcheckpoint.pt;

import static io.qcheckpoint.pt.PickleOpcodes.*;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine that builds values only from data and allowlisted globals: it never
 * instantiates a class by name, and every length it reads is checked against the bytes left.
 *
 * <p>Values: {@link LinkedHashMap} for dict, {@link ArrayList} for list, {@link Tuple}, String,
 * Long or BigInteger, Double, Boolean, null, byte[], {@link LinkedHashSet}, and whatever the
 * {@link TorchGlobals} table builds. One instance reads one pickle.
 */
final class Unpickler {
    private static final int MAX_KEY_DEPTH = 64;
    /** Real keys are strings, numbers and short tuples of them. */
    private static final int MAX_KEY_ELEMENTS = 10_000;
    /** Python 3.11's own limit on decimal digits of an int (sys.int_info.default_max_str_digits). */
    static final int MAX_INT_DIGITS = 4300;
    /** The bytes of a binary long with that many decimal digits. */
    static final int MAX_LONG_BYTES = 1786;

    private final ByteBuffer in;
    private final String source;
    private final PersistentLoader persistentLoader;
    private final boolean scriptObjects;
    private final List<Object> stack = new ArrayList<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private int[] marks = new int[16];
    private int markCount;
    private int opStart;

    /**
     * Prepares to read the pickle that starts at {@code in}'s position.
     *
     * @param in the bytes; its position ends just after STOP
     * @param source the file and record, for messages
     * @param persistentLoader resolves storage ids
     */
    Unpickler(ByteBuffer in, String source, PersistentLoader persistentLoader) {
        this(in, source, persistentLoader, false);
    }

    /**
     * Prepares to read a pickle that may also hold TorchScript objects: with {@code scriptObjects},
     * a global under {@code __torch__.} is a class of the archive's own code and unpickles to a
     * {@link ScriptObject} type, whose instances are plain attribute maps (nothing runs).
     *
     * @param in the bytes; its position ends just after STOP
     * @param source the file and record, for messages
     * @param persistentLoader resolves storage ids
     * @param scriptObjects whether {@code __torch__} classes are allowed
     */
    Unpickler(ByteBuffer in, String source, PersistentLoader persistentLoader, boolean scriptObjects) {
        this.in = in.order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.persistentLoader = persistentLoader;
        this.scriptObjects = scriptObjects;
    }

    /**
     * Runs the pickle to its STOP and returns the value it built.
     *
     * @return the value
     * @throws UnsafeCheckpointException if the pickle asks for anything outside the allowlist
     * @throws CheckpointFormatException if the pickle is malformed or truncated
     */
    Object load() throws CheckpointException {
        try {
            while (true) {
                opStart = in.position();
                int op = u8();
                if (op == STOP) {
                    if (markCount > 0) {
                        throw error("STOP with a MARK still open");
                    }
                    Object value = pop();
                    PickleBounds.check(value, source);
                    return value;
                }
                step(op);
            }
        } catch (CheckpointException e) {
            throw e;
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
            throw error("pickle ends in the middle of an opcode (truncated?)", e);
        } catch (ArithmeticException e) {
            throw error("a size, stride or offset overflows 64 bits", e);
        } catch (ClassCastException e) {
            throw error("a value of the wrong type where torch expects another", e);
        } catch (RuntimeException e) {
            throw error(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()), e);
        }
    }

    private void step(int op) throws CheckpointException {
        switch (op) {
            case PROTO -> {
                int v = u8();
                if (v > 5) {
                    throw error("unsupported pickle protocol " + v);
                }
            }
            case FRAME -> bytes(8);
            case MARK -> mark();
            case POP -> pop();
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case NONE -> push(null);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case BININT -> push((long) in.getInt());
            case BININT1 -> push((long) u8());
            case BININT2 -> push((long) (in.getShort() & 0xffff));
            case LONG1 -> push(longBytes(u8()));
            case LONG4 -> push(longBytes(length(in.getInt() & 0xffffffffL)));
            case INT -> push(parseInt(line()));
            case LONG -> push(parseLong(line()));
            case FLOAT -> push(parseFloat(line()));
            case BINFLOAT -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong(advance(8)))));
            case BINUNICODE -> push(utf8(length(in.getInt() & 0xffffffffL)));
            case SHORT_BINUNICODE -> push(utf8(u8()));
            case BINUNICODE8 -> push(utf8(length(in.getLong())));
            case UNICODE -> push(rawUnicodeEscape(line()));
            case STRING -> push(quotedString(line()));
            case BINSTRING -> push(utf8(length(in.getInt())));
            case SHORT_BINSTRING -> push(utf8(u8()));
            case BINBYTES -> push(bytes(length(in.getInt() & 0xffffffffL)));
            case SHORT_BINBYTES -> push(bytes(u8()));
            case BINBYTES8, BYTEARRAY8 -> push(bytes(length(in.getLong())));
            case EMPTY_LIST -> push(new ArrayList<>());
            case LIST -> push(new ArrayList<>(popMark()));
            case APPEND -> {
                Object v = pop();
                list(peek()).add(v);
            }
            case APPENDS -> {
                List<Object> items = popMark();
                list(peek()).addAll(items);
            }
            case EMPTY_TUPLE -> push(Tuple.of());
            case TUPLE -> push(Tuple.copyOf(popMark()));
            case TUPLE1 -> push(Tuple.of(pop()));
            case TUPLE2 -> {
                Object b = pop();
                push(Tuple.of(pop(), b));
            }
            case TUPLE3 -> {
                Object c = pop();
                Object b = pop();
                push(Tuple.of(pop(), b, c));
            }
            case EMPTY_DICT -> push(new LinkedHashMap<>());
            case DICT -> {
                List<Object> items = popMark();
                Map<Object, Object> d = new LinkedHashMap<>();
                putAll(d, items);
                push(d);
            }
            case SETITEM -> {
                Object v = pop();
                Object k = pop();
                map(peek()).put(key(k), v);
            }
            case SETITEMS -> {
                List<Object> items = popMark();
                putAll(map(peek()), items);
            }
            case EMPTY_SET -> push(new LinkedHashSet<>());
            case ADDITEMS -> {
                List<Object> items = popMark();
                Set<Object> s = set(peek());
                for (Object item : items) {
                    s.add(key(item));
                }
            }
            case FROZENSET -> {
                Set<Object> s = new LinkedHashSet<>();
                for (Object item : popMark()) {
                    s.add(key(item));
                }
                push(s);
            }
            case GET -> push(memoGet(parseMemoIndex(line())));
            case BINGET -> push(memoGet(u8()));
            case LONG_BINGET -> push(memoGet(in.getInt() & 0xffffffffL));
            case PUT -> memo.put(parseMemoIndex(line()), peek());
            case BINPUT -> memo.put((long) u8(), peek());
            case LONG_BINPUT -> memo.put(in.getInt() & 0xffffffffL, peek());
            case MEMOIZE -> memo.put((long) memo.size(), peek());
            case GLOBAL -> push(global(line(), line()));
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw error("STACK_GLOBAL needs two strings");
                }
                push(global(m, n));
            }
            case REDUCE -> {
                Tuple args = tuple(pop());
                push(call(pop(), args, "REDUCE"));
            }
            case NEWOBJ -> {
                Tuple args = tuple(pop());
                push(call(pop(), args, "NEWOBJ"));
            }
            case NEWOBJ_EX -> {
                Object kwargs = pop();
                Tuple args = tuple(pop());
                if (!(kwargs instanceof Map<?, ?> m) || !m.isEmpty()) {
                    throw new UnsafeCheckpointException(source, "NEWOBJ_EX with keyword arguments is not allowed");
                }
                push(call(pop(), args, "NEWOBJ_EX"));
            }
            case BUILD -> {
                Object state = pop();
                TorchGlobals.build(peek(), state, source);
            }
            case BINPERSID -> push(persistentLoader.load(pop()));
            case PERSID -> throw new UnsafeCheckpointException(source,
                    "text persistent id '" + line() + "' is not a storage; refused");
            case INST -> throw new UnsafeCheckpointException(source,
                    "INST of global '" + line() + "." + line() + "' is not allowed");
            case OBJ -> throw new UnsafeCheckpointException(source, "OBJ (class instantiation) is not allowed");
            case EXT1, EXT2, EXT4 -> throw new UnsafeCheckpointException(source,
                    "extension-registry globals (EXT opcodes) are not allowed");
            case NEXT_BUFFER, READONLY_BUFFER -> throw error("out-of-band buffers are not supported");
            default -> throw error(String.format("unknown pickle opcode 0x%02x", op));
        }
    }

    private Object global(String module, String name) throws CheckpointException {
        Object g = TorchGlobals.lookup(module, name);
        if (g == null && scriptObjects) {
            g = ScriptObject.global(module, name);
        }
        if (g == null) {
            throw new UnsafeCheckpointException(source, "global '" + module + "." + name
                    + "' is not on the allowlist of safe torch globals; refused before anything ran");
        }
        return g;
    }

    private Object call(Object callable, Tuple args, String opcode) throws CheckpointException {
        if (!(callable instanceof PickleCallable c)) {
            throw new UnsafeCheckpointException(source, opcode + " on " + TorchGlobals.describe(callable)
                    + ", which is not an allowlisted callable");
        }
        try {
            return c.call(args);
        } catch (CheckpointException e) {
            throw e;
        } catch (ClassCastException e) {
            throw error(opcode + " of " + TorchGlobals.describe(callable) + " failed: an argument of the wrong type", e);
        } catch (ArithmeticException e) {
            throw error(opcode + " of " + TorchGlobals.describe(callable) + " failed: a size, stride or offset"
                    + " overflows 64 bits", e);
        } catch (RuntimeException e) {
            throw error(opcode + " of " + TorchGlobals.describe(callable) + " failed: " + e.getMessage(), e);
        }
    }

    private void putAll(Map<Object, Object> d, List<Object> items) throws CheckpointException {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict");
        }
        for (int i = 0; i < items.size(); i += 2) {
            d.put(key(items.get(i)), items.get(i + 1));
        }
    }

    /** Admits only values that Python could hash and Java hashes without recursion into the unknown. */
    private Object key(Object k) throws CheckpointException {
        try {
            requireHashable(k, 0);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
        return k;
    }

    /**
     * Checks that {@code k} may be a dict key or set item: a scalar, or a tuple of such, of at most
     * {@link #MAX_KEY_ELEMENTS} elements as a tree (hashing walks it as one, in Java as in Python).
     *
     * @throws IllegalArgumentException if it is not, or tuples nest too deep or unfold too far
     */
    static void requireHashable(Object k, int depth) {
        requireHashable(k, depth, new int[] {MAX_KEY_ELEMENTS});
    }

    private static void requireHashable(Object k, int depth, int[] budget) {
        if (depth > MAX_KEY_DEPTH) {
            throw new IllegalArgumentException("dict key nested deeper than " + MAX_KEY_DEPTH);
        }
        if (--budget[0] < 0) {
            throw new IllegalArgumentException("dict key of more than " + MAX_KEY_ELEMENTS + " elements");
        }
        if (k instanceof Tuple t) {
            for (Object item : t.items()) {
                requireHashable(item, depth + 1, budget);
            }
        } else if (!(k == null || k instanceof String || k instanceof Long || k instanceof BigInteger
                || k instanceof Double || k instanceof Boolean || k instanceof byte[] || k instanceof DType
                || k instanceof QScheme || k instanceof Device)) {
            throw new IllegalArgumentException("unhashable dict key or set item: " + TorchGlobals.describe(k));
        }
    }

    @SuppressWarnings("unchecked")
    private List<Object> list(Object o) throws CheckpointException {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw error("APPEND to " + TorchGlobals.describe(o) + ", not a list");
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> map(Object o) throws CheckpointException {
        if (o instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw error("SETITEM on " + TorchGlobals.describe(o) + ", not a dict");
    }

    @SuppressWarnings("unchecked")
    private Set<Object> set(Object o) throws CheckpointException {
        if (o instanceof LinkedHashSet<?> s) {
            return (Set<Object>) s;
        }
        throw error("ADDITEMS on " + TorchGlobals.describe(o) + ", not a set");
    }

    private Tuple tuple(Object o) throws CheckpointException {
        if (o instanceof Tuple t) {
            return t;
        }
        throw error("arguments must be a tuple, got " + TorchGlobals.describe(o));
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() throws CheckpointException {
        if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw error("pop from an empty stack");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws CheckpointException {
        if (stack.size() <= (markCount == 0 ? 0 : marks[markCount - 1])) {
            throw error("stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private void mark() {
        if (markCount == marks.length) {
            marks = java.util.Arrays.copyOf(marks, marks.length * 2);
        }
        marks[markCount++] = stack.size();
    }

    private List<Object> popMark() throws CheckpointException {
        if (markCount == 0) {
            throw error("no MARK on the stack");
        }
        int start = marks[--markCount];
        List<Object> top = stack.subList(start, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private Object memoGet(long index) throws CheckpointException {
        if (!memo.containsKey(index)) {
            throw error("memo index " + index + " was never stored");
        }
        return memo.get(index);
    }

    private int u8() {
        return in.get() & 0xff;
    }

    private int length(long n) throws CheckpointException {
        if (n < 0 || n > in.remaining()) {
            throw error("length " + n + " runs past the end of the pickle (" + in.remaining() + " bytes left)");
        }
        return (int) n;
    }

    private int advance(int n) throws CheckpointException {
        int p = in.position();
        in.position(p + length(n));
        return p;
    }

    private byte[] bytes(int n) throws CheckpointException {
        byte[] b = new byte[length(n)];
        in.get(b);
        return b;
    }

    private String utf8(int n) throws CheckpointException {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(n))).toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8", e);
        }
    }

    private String line() throws CheckpointException {
        int start = in.position();
        for (int i = start; i < in.limit(); i++) {
            if (in.get(i) == '\n') {
                byte[] b = new byte[i - start];
                in.get(b);
                in.get();
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error("unterminated text argument");
    }

    private Object longBytes(int n) throws CheckpointException {
        if (n > MAX_LONG_BYTES) {
            throw error("an integer of " + n + " bytes, more than " + MAX_INT_DIGITS + " decimal digits");
        }
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        return normalize(new BigInteger(be));
    }

    private static Object normalize(BigInteger v) {
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private Object parseInt(String s) throws CheckpointException {
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        return parseLong(s);
    }

    private Object parseLong(String s) throws CheckpointException {
        String t = s.endsWith("L") ? s.substring(0, s.length() - 1) : s;
        if (t.length() > MAX_INT_DIGITS + 1) {
            throw error("an integer literal of " + t.length() + " characters; Python too refuses more than "
                    + MAX_INT_DIGITS + " digits");
        }
        try {
            return normalize(new BigInteger(t));
        } catch (NumberFormatException e) {
            throw error("bad integer literal", e);
        }
    }

    private long parseMemoIndex(String s) throws CheckpointException {
        Object v = parseLong(s);
        if (v instanceof Long l) {
            return l;
        }
        throw error("bad memo index");
    }

    private Double parseFloat(String s) throws CheckpointException {
        switch (s) {
            case "inf": return Double.POSITIVE_INFINITY;
            case "-inf": return Double.NEGATIVE_INFINITY;
            case "nan": return Double.NaN;
            default:
                try {
                    return Double.valueOf(s);
                } catch (NumberFormatException e) {
                    throw error("bad float literal", e);
                }
        }
    }

    private String quotedString(String s) throws CheckpointException {
        if (s.length() < 2 || s.charAt(0) != s.charAt(s.length() - 1) || (s.charAt(0) != '\'' && s.charAt(0) != '"')) {
            throw error("STRING argument is not quoted");
        }
        return s.substring(1, s.length() - 1);
    }

    /** Python's raw-unicode-escape: only {@code \\uXXXX} and {@code \\UXXXXXXXX} are escapes. */
    private String rawUnicodeEscape(String s) throws CheckpointFormatException {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            char kind = c == '\\' && i + 1 < s.length() ? s.charAt(i + 1) : 0;
            int digits = kind == 'u' ? 4 : kind == 'U' ? 8 : 0;
            if (digits == 0) {
                sb.append(c);
                continue;
            }
            int end = i + 2 + digits;
            long cp = end <= s.length() ? hex(s.substring(i + 2, end)) : -1;
            if (cp < 0 || cp > Character.MAX_CODE_POINT) {
                throw error("UNICODE string has a malformed \\" + kind + " escape (Python raises too)");
            }
            sb.appendCodePoint((int) cp);
            i = end - 1;
        }
        return sb.toString();
    }

    /** The value of hexadecimal digits, or -1 if any is not one. */
    private static long hex(String digits) {
        long v = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = Character.digit(digits.charAt(i), 16);
            if (d < 0) {
                return -1;
            }
            v = v * 16 + d;
        }
        return v;
    }

    private CheckpointFormatException error(String reason) {
        return new CheckpointFormatException(source, reason + " (pickle offset " + opStart + ")");
    }

    private CheckpointFormatException error(String reason, Throwable cause) {
        return new CheckpointFormatException(source, reason + " (pickle offset " + opStart + ")", cause);
    }
}
