package io.qcheckpoint.pt;

import static io.qcheckpoint.pt.PickleOpcodes.*;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes values as the protocol-2 pickle torch 1.13's {@code torch.save} makes with CPython's
 * {@code _pickle}, byte for byte: tensors as torch reduces them ({@code _rebuild_tensor_v2},
 * {@code _rebuild_parameter}, {@code _rebuild_qtensor}) with their storages as persistent ids keyed
 * "0", "1", ... in order of first use, and CPython's memo: every global, string, non-empty tuple,
 * list, dict and reduced object is stored ({@code BINPUT}) as it is written, and a global, or an
 * object reached again, is fetched ({@code BINGET}) instead of written twice.
 *
 * <p>Object identity stands in for Python's: a Java object reached twice (a tensor, a map, a
 * string) is one Python object; two equal but distinct strings are two. Strings read from a torch
 * file keep the file's sharing, and string literals (such as the {@code "version"} keys of module
 * metadata) are shared, as Python's interned names are. The strings torch itself writes
 * ({@code 'storage'}, {@code 'cpu'}, a storage's key, {@code 'latin1'}) are memoized apart from the
 * caller's.
 */
final class Pickler {
    private static final int MAX_DEPTH = 1000;
    /** CPython's {@code BATCHSIZE}: items per APPENDS/SETITEMS. */
    private static final int BATCH = 1000;
    private static final String LOCATION = "cpu";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    /** Python's memo for the caller's objects, by identity. */
    private final Map<Object, Integer> memo = new IdentityHashMap<>();
    /** The memo entries of globals and of the strings torch writes itself, by value. */
    private final Map<String, Integer> constants = new HashMap<>();
    private final Map<Storage, String> storageKeys = new IdentityHashMap<>();
    private final List<Storage> storages = new ArrayList<>();
    private int memoSize;

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
        } else if (o instanceof DType d) {
            saveGlobal("torch", d.torchName());
        } else if (o instanceof QScheme q) {
            saveGlobal("torch", q.torchName());
        } else if (memo.containsKey(o)) {
            saveGet(memo.get(o));
        } else if (o instanceof String s) {
            writeString(s);
            memoize(o);
        } else {
            saveObject(o, depth);
        }
    }

    private void saveObject(Object o, int depth) {
        if (o instanceof byte[] b) {
            saveBytes(b);
        } else if (o instanceof Device d) {
            saveDevice(d);
        } else if (o instanceof Tuple t && t.isTorchSize()) {
            saveGlobal("torch", "Size");
            saveTuple(t.items(), null, depth);
            out.write(TUPLE1);
            memoizeFresh();
            out.write(REDUCE);
        } else if (o instanceof Tuple t) {
            saveTuple(t.items(), t, depth);
            return;
        } else if (o instanceof List<?> l) {
            out.write(EMPTY_LIST);
            memoize(o);
            saveListItems(l, depth);
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
            saveDictItems(m, depth);
            return;
        } else if (o instanceof Set<?> set) {
            // protocol 2: set([items]) -- the list and the argument tuple are memoized too
            saveGlobal("__builtin__", "set");
            out.write(EMPTY_LIST);
            memoizeFresh();
            saveListItems(new ArrayList<>(set), depth);
            out.write(TUPLE1);
            memoizeFresh();
            out.write(REDUCE);
        } else if (o instanceof Tensor t) {
            saveTensor(t, depth);
        } else {
            throw new IllegalArgumentException("cannot write a " + o.getClass().getName() + " to a torch file");
        }
        memoize(o);
    }

    /** {@code bytes} in protocol 2: {@code bytes()} when empty, else {@code _codecs.encode(latin1 text, 'latin1')}. */
    private void saveBytes(byte[] b) {
        if (b.length == 0) {
            saveGlobal("__builtin__", "bytes");
            out.write(EMPTY_TUPLE);
        } else {
            saveGlobal("_codecs", "encode");
            writeString(new String(b, StandardCharsets.ISO_8859_1));
            memoizeFresh();
            saveConstantString("latin1");
            out.write(TUPLE2);
            memoizeFresh();
        }
        out.write(REDUCE);
    }

    /**
     * Writes {@code d} as {@code OrderedDict.__reduce__} has pickle write it: {@code OrderedDict()},
     * its items, then BUILD with its attributes when it has any.
     */
    private void saveOrderedDict(Object identity, OrderedDict d, int depth) {
        saveGlobal("collections", "OrderedDict");
        out.write(EMPTY_TUPLE);
        out.write(REDUCE);
        memoize(identity);
        saveIteratedItems(d.entrySet().iterator(), depth);
        if (!d.attributes().isEmpty()) {
            out.write(EMPTY_DICT);
            memoizeFresh();
            saveDictItems(d.attributes(), depth);
            out.write(BUILD);
        }
    }

    /** CPython's {@code batch_list_exact}: one item with APPEND, else batches of MARK ... APPENDS. */
    private void saveListItems(List<?> items, int depth) {
        if (items.size() == 1) {
            save(items.get(0), depth + 1);
            out.write(APPEND);
            return;
        }
        int done = 0;
        while (done < items.size()) {
            out.write(MARK);
            for (int n = 0; n < BATCH && done < items.size(); n++) {
                save(items.get(done++), depth + 1);
            }
            out.write(APPENDS);
        }
    }

    /**
     * CPython's {@code batch_dict_exact} (a plain dict): one item with SETITEM, else batches of
     * MARK ... SETITEMS, and an empty batch after a full last one.
     */
    private void saveDictItems(Map<?, ?> m, int depth) {
        if (m.isEmpty()) {
            return;
        }
        Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
        if (m.size() == 1) {
            saveEntry(it.next(), depth);
            out.write(SETITEM);
            return;
        }
        int n;
        do {
            out.write(MARK);
            for (n = 0; n < BATCH && it.hasNext(); n++) {
                saveEntry(it.next(), depth);
            }
            out.write(SETITEMS);
        } while (n == BATCH);
    }

    /**
     * CPython's {@code batch_dict} (items from an iterator, as a reduced OrderedDict's): batches of
     * MARK ... SETITEMS, a lone last item with SETITEM.
     */
    private void saveIteratedItems(Iterator<? extends Map.Entry<?, ?>> it, int depth) {
        while (it.hasNext()) {
            Map.Entry<?, ?> first = it.next();
            if (!it.hasNext()) {
                saveEntry(first, depth);
                out.write(SETITEM);
                return;
            }
            out.write(MARK);
            saveEntry(first, depth);
            for (int n = 1; n < BATCH && it.hasNext(); n++) {
                saveEntry(it.next(), depth);
            }
            out.write(SETITEMS);
        }
    }

    private void saveEntry(Map.Entry<?, ?> e, int depth) {
        save(e.getKey(), depth + 1);
        save(e.getValue(), depth + 1);
    }

    /**
     * A tuple: EMPTY_TUPLE (not memoized: Python has one empty tuple), TUPLE1..3, or MARK ... TUPLE,
     * memoized after, under {@code identity} when the caller may reach it again.
     */
    private void saveTuple(List<?> items, Object identity, int depth) {
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
        int index = memoizeFresh();
        if (identity != null) {
            memo.put(identity, index);
        }
    }

    /**
     * {@code torch.device.__reduce__}: {@code device('cpu')} or {@code device('cuda', 0)}; the type
     * string is a new object each time.
     */
    private void saveDevice(Device d) {
        saveGlobal("torch", "device");
        int colon = d.spec().indexOf(':');
        if (colon < 0) {
            writeString(d.spec());
            memoizeFresh();
            out.write(TUPLE1);
        } else {
            writeString(d.spec().substring(0, colon));
            memoizeFresh();
            saveInt(Long.parseLong(d.spec().substring(colon + 1)));
            out.write(TUPLE2);
        }
        memoizeFresh();
        out.write(REDUCE);
    }

    /** A tensor or parameter; the caller memoizes it. */
    private void saveTensor(Tensor t, int depth) {
        if (t.isParameter()) {
            // Parameter.__reduce_ex__: _rebuild_parameter(self.data, requires_grad, OrderedDict()); .data is a new,
            // detached tensor
            saveGlobal("torch._utils", "_rebuild_parameter");
            saveTensorBody(t.asPlainTensor(), false, depth);
            memoizeFresh();
            out.write(t.requiresGrad() ? NEWTRUE : NEWFALSE);
            saveEmptyOrderedDict();
            out.write(TUPLE3);
            memoizeFresh();
            out.write(REDUCE);
            return;
        }
        saveTensorBody(t, t.requiresGrad(), depth);
    }

    /**
     * {@code _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)}, or the
     * qtensor/v3 variants, up to REDUCE.
     */
    private void saveTensorBody(Tensor t, boolean requiresGrad, int depth) {
        boolean v3 = t.dtype().storageClass() == null;
        saveGlobal("torch._utils", t.quantization() != null ? "_rebuild_qtensor" : v3 ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2");
        out.write(MARK);
        savePersistentId(t, v3);
        saveInt(t.storageOffset());
        saveTuple(boxed(t.shape()), null, depth);
        saveTuple(boxed(t.strides()), null, depth);
        if (t.quantization() instanceof Quantization.PerTensor q) {
            saveGlobal("torch", q.scheme().torchName());
            save(q.scale(), depth + 1);
            saveInt(q.zeroPoint());
            out.write(TUPLE3);
            memoizeFresh();
        } else if (t.quantization() instanceof Quantization.PerChannel q) {
            out.write(MARK);
            saveGlobal("torch", QScheme.PER_CHANNEL_AFFINE.torchName());
            save(q.scales(), depth + 1);
            save(q.zeroPoints(), depth + 1);
            saveInt(q.axis());
            out.write(TUPLE);
            memoizeFresh();
        }
        out.write(requiresGrad ? NEWTRUE : NEWFALSE);
        saveEmptyOrderedDict();
        if (v3) {
            saveGlobal("torch", t.dtype().torchName());
        }
        out.write(TUPLE);
        memoizeFresh();
        out.write(REDUCE);
    }

    /** torch's {@code persistent_id}: {@code ('storage', storage_type, key, 'cpu', numel)}, memoized, then BINPERSID. */
    private void savePersistentId(Tensor t, boolean untyped) {
        Storage s = t.storage();
        String key = storageKeys.get(s);
        if (key == null) {
            key = Integer.toString(storages.size());
            storageKeys.put(s, key);
            storages.add(s);
        }
        out.write(MARK);
        saveConstantString("storage");
        if (untyped) {
            saveGlobal("torch", "UntypedStorage");
        } else {
            saveGlobal("torch", t.dtype().storageClass());
        }
        saveConstantString("\0key\0" + key, key);
        saveConstantString(LOCATION);
        saveInt(untyped ? s.nbytes() : s.nbytes() / t.dtype().storageElementSize());
        out.write(TUPLE);
        memoizeFresh();
        out.write(BINPERSID);
    }

    /** {@code OrderedDict()}: the tensor's empty backward hooks; a new object each time. */
    private void saveEmptyOrderedDict() {
        saveGlobal("collections", "OrderedDict");
        out.write(EMPTY_TUPLE);
        out.write(REDUCE);
        memoizeFresh();
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

    private void writeString(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(BINUNICODE);
        writeLe32(b.length);
        out.write(b, 0, b.length);
    }

    /** A string torch writes itself (one Python object however often it is used). */
    private void saveConstantString(String s) {
        saveConstantString("\0str\0" + s, s);
    }

    private void saveConstantString(String memoKey, String s) {
        Integer index = constants.get(memoKey);
        if (index != null) {
            saveGet(index);
            return;
        }
        writeString(s);
        constants.put(memoKey, memoizeFresh());
    }

    /** GLOBAL, or BINGET of the global written before (Python memoizes the class or function object). */
    private void saveGlobal(String module, String name) {
        String memoKey = module + "\n" + name + "\n";
        Integer index = constants.get(memoKey);
        if (index != null) {
            saveGet(index);
            return;
        }
        out.write(GLOBAL);
        byte[] b = memoKey.getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
        constants.put(memoKey, memoizeFresh());
    }

    private void memoize(Object o) {
        memo.put(o, memoizeFresh());
    }

    /** Stores the object just written under the next memo index, which is returned. */
    private int memoizeFresh() {
        int index = memoSize++;
        if (index < 0x100) {
            out.write(BINPUT);
            out.write(index);
        } else {
            out.write(LONG_BINPUT);
            writeLe32(index);
        }
        return index;
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
