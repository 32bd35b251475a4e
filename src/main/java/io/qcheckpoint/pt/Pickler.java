package io.qcheckpoint.pt;

import static io.qcheckpoint.pt.PickleOpcodes.*;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes values as a protocol-2 pickle using only the opcodes torch's safe loader accepts, with
 * tensors as torch writes them ({@code _rebuild_tensor_v2}, {@code _rebuild_parameter},
 * {@code _rebuild_qtensor}) and their storages as persistent ids keyed "0", "1", ... in order of
 * first use. Objects reached twice are written once and referenced from the memo, so shared tensors
 * and storages stay shared.
 */
final class Pickler {
    private static final int MAX_DEPTH = 1000;
    private static final int BATCH = 1000;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<Object, Integer> memo = new IdentityHashMap<>();
    private final Map<Storage, String> storageKeys = new IdentityHashMap<>();
    private final List<Storage> storages = new ArrayList<>();

    /**
     * Pickles {@code root}.
     *
     * @param root the value: maps, lists, tuples, sets, strings, numbers, booleans, null, byte arrays,
     *     dtypes, qschemes, devices, tensors and state dicts, nested
     * @return the pickle bytes
     * @throws IllegalArgumentException for a value of another type, or nesting over 1000 deep
     */
    byte[] pickle(Object root) {
        out.write(PROTO);
        out.write(2);
        save(root, 0);
        out.write(STOP);
        return out.toByteArray();
    }

    /** Returns the storages the pickle refers to, in key order ("0", "1", ...). */
    List<Storage> storages() {
        return storages;
    }

    private void save(Object o, int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("values nested deeper than " + MAX_DEPTH + " (or cyclic through a tuple)");
        }
        if (o == null) {
            out.write(NONE);
        } else if (o instanceof Boolean b) {
            out.write(b ? NEWTRUE : NEWFALSE);
        } else if (o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte) {
            saveInt(((Number) o).longValue());
        } else if (o instanceof BigInteger b) {
            saveBigInt(b);
        } else if (o instanceof Double || o instanceof Float) {
            out.write(BINFLOAT);
            long bits = Double.doubleToRawLongBits(((Number) o).doubleValue());
            for (int i = 7; i >= 0; i--) {
                out.write((int) (bits >>> (8 * i)));
            }
        } else if (o instanceof String s) {
            saveString(s);
        } else if (o instanceof DType d) {
            saveGlobal("torch", d.torchName());
        } else if (o instanceof QScheme q) {
            saveGlobal("torch", q.torchName());
        } else if (memo.containsKey(o)) {
            saveGet(memo.get(o));
        } else {
            saveObject(o, depth);
        }
    }

    private void saveObject(Object o, int depth) {
        if (o instanceof byte[] b) {
            saveGlobal("_codecs", "encode");
            saveString(new String(b, StandardCharsets.ISO_8859_1));
            saveString("latin1");
            out.write(TUPLE2);
            out.write(REDUCE);
        } else if (o instanceof Device d) {
            saveDevice(d);
        } else if (o instanceof Tuple t && t.isTorchSize()) {
            saveGlobal("torch", "Size");
            saveTuple(t.items(), depth);
            out.write(TUPLE1);
            out.write(REDUCE);
        } else if (o instanceof Tuple t) {
            saveTuple(t.items(), depth);
        } else if (o instanceof List<?> l) {
            out.write(EMPTY_LIST);
            memoize(o);
            saveBatches(l.iterator(), APPENDS, depth, false);
            return;
        } else if (o instanceof OrderedDict d) {
            saveOrderedDict(d, d, depth);
            return;
        } else if (o instanceof StateDict sd) {
            saveOrderedDict(sd, sd.toOrderedDict(), depth);
            return;
        } else if (o instanceof Map<?, ?> m) {
            out.write(EMPTY_DICT);
            memoize(o);
            saveBatches(m.entrySet().iterator(), SETITEMS, depth, true);
            return;
        } else if (o instanceof Set<?> set) {
            saveGlobal("__builtin__", "set");
            out.write(EMPTY_LIST);
            saveBatches(set.iterator(), APPENDS, depth, false);
            out.write(TUPLE1);
            out.write(REDUCE);
        } else if (o instanceof Tensor t) {
            saveTensor(t, depth);
        } else {
            throw new IllegalArgumentException("cannot write a " + o.getClass().getName() + " to a torch file");
        }
        memoize(o);
    }

    /** Writes {@code d} as torch does: {@code OrderedDict()}, its items, then BUILD with its attributes. */
    private void saveOrderedDict(Object identity, OrderedDict d, int depth) {
        saveGlobal("collections", "OrderedDict");
        out.write(EMPTY_TUPLE);
        out.write(REDUCE);
        memoize(identity);
        saveBatches(d.entrySet().iterator(), SETITEMS, depth, true);
        if (!d.attributes().isEmpty()) {
            out.write(EMPTY_DICT);
            saveBatches(d.attributes().entrySet().iterator(), SETITEMS, depth, true);
            out.write(BUILD);
        }
    }

    private void saveBatches(Iterator<?> it, int opcode, int depth, boolean entries) {
        while (it.hasNext()) {
            out.write(MARK);
            for (int n = 0; n < BATCH && it.hasNext(); n++) {
                Object item = it.next();
                if (entries) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) item;
                    save(e.getKey(), depth + 1);
                    save(e.getValue(), depth + 1);
                } else {
                    save(item, depth + 1);
                }
            }
            out.write(opcode);
        }
    }

    private void saveTuple(List<?> items, int depth) {
        if (items.isEmpty()) {
            out.write(EMPTY_TUPLE);
            return;
        }
        if (items.size() > 3) {
            out.write(MARK);
        }
        for (Object item : items) {
            save(item, depth + 1);
        }
        out.write(items.size() > 3 ? TUPLE : TUPLE1 + items.size() - 1);
    }

    private void saveDevice(Device d) {
        saveGlobal("torch", "device");
        int colon = d.spec().indexOf(':');
        if (colon < 0) {
            saveString(d.spec());
            out.write(TUPLE1);
        } else {
            saveString(d.spec().substring(0, colon));
            saveInt(Long.parseLong(d.spec().substring(colon + 1)));
            out.write(TUPLE2);
        }
        out.write(REDUCE);
    }

    private void saveTensor(Tensor t, int depth) {
        if (t.isParameter()) {
            saveGlobal("torch._utils", "_rebuild_parameter");
            saveTensorBody(t.asPlainTensor(), depth);
            out.write(t.requiresGrad() ? NEWTRUE : NEWFALSE);
            saveEmptyOrderedDict();
            out.write(TUPLE3);
            out.write(REDUCE);
            return;
        }
        saveTensorBody(t, depth);
    }

    private void saveTensorBody(Tensor t, int depth) {
        boolean v3 = t.dtype().storageClass() == null;
        saveGlobal("torch._utils", t.quantization() != null ? "_rebuild_qtensor" : v3 ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2");
        out.write(MARK);
        savePersistentId(t, v3);
        saveInt(t.storageOffset());
        saveTuple(boxed(t.shape()), depth);
        saveTuple(boxed(t.strides()), depth);
        if (t.quantization() instanceof Quantization.PerTensor q) {
            saveGlobal("torch", q.scheme().torchName());
            save(q.scale(), depth + 1);
            saveInt(q.zeroPoint());
            out.write(TUPLE3);
        } else if (t.quantization() instanceof Quantization.PerChannel q) {
            out.write(MARK);
            saveGlobal("torch", QScheme.PER_CHANNEL_AFFINE.torchName());
            save(q.scales(), depth + 1);
            save(q.zeroPoints(), depth + 1);
            saveInt(q.axis());
            out.write(TUPLE);
        }
        out.write(t.requiresGrad() ? NEWTRUE : NEWFALSE);
        saveEmptyOrderedDict();
        if (v3) {
            saveGlobal("torch", t.dtype().torchName());
        }
        out.write(TUPLE);
        out.write(REDUCE);
    }

    private void savePersistentId(Tensor t, boolean untyped) {
        Storage s = t.storage();
        String key = storageKeys.get(s);
        if (key == null) {
            key = Integer.toString(storages.size());
            storageKeys.put(s, key);
            storages.add(s);
        }
        out.write(MARK);
        saveString("storage");
        if (untyped) {
            saveGlobal("torch", "UntypedStorage");
        } else {
            saveGlobal("torch", t.dtype().storageClass());
        }
        saveString(key);
        saveString("cpu");
        saveInt(untyped ? s.nbytes() : s.nbytes() / t.dtype().storageElementSize());
        out.write(TUPLE);
        out.write(BINPERSID);
    }

    private void saveEmptyOrderedDict() {
        saveGlobal("collections", "OrderedDict");
        out.write(EMPTY_TUPLE);
        out.write(REDUCE);
    }

    private static List<Object> boxed(long[] values) {
        List<Object> l = new ArrayList<>(values.length);
        for (long v : values) {
            l.add(v);
        }
        return l;
    }

    private void saveInt(long v) {
        if (v >= 0 && v < 0x100) {
            out.write(BININT1);
            out.write((int) v);
        } else if (v >= 0 && v < 0x10000) {
            out.write(BININT2);
            out.write((int) v);
            out.write((int) (v >>> 8));
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write(BININT);
            writeLe32((int) v);
        } else {
            saveBigInt(BigInteger.valueOf(v));
        }
    }

    private void saveBigInt(BigInteger v) {
        byte[] be = v.toByteArray();
        if (be.length < 256) {
            out.write(LONG1);
            out.write(be.length);
        } else {
            out.write(LONG4);
            writeLe32(be.length);
        }
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
    }

    private void saveString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(BINUNICODE);
        writeLe32(b.length);
        out.write(b, 0, b.length);
    }

    private void saveGlobal(String module, String name) {
        out.write(GLOBAL);
        byte[] b = (module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
    }

    private void memoize(Object o) {
        int index = memo.size();
        memo.put(o, index);
        if (index < 0x100) {
            out.write(BINPUT);
            out.write(index);
        } else {
            out.write(LONG_BINPUT);
            writeLe32(index);
        }
    }

    private void saveGet(int index) {
        if (index < 0x100) {
            out.write(BINGET);
            out.write(index);
        } else {
            out.write(LONG_BINGET);
            writeLe32(index);
        }
    }

    private void writeLe32(int v) {
        out.write(v);
        out.write(v >>> 8);
        out.write(v >>> 16);
        out.write(v >>> 24);
    }
}
