package io.qcheckpoint.pt;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The allowlist: every pickle global a torch file may name, and what it unpickles to. A global not
 * in this table is refused by name before anything runs; no class is ever looked up reflectively.
 *
 * <p>Entries are constants (dtypes, qschemes, storage classes) or {@link PickleCallable}s (tensor
 * rebuild functions, {@code OrderedDict}, Neural Compressor's {@code DotDict} read as a map).
 */
final class TorchGlobals {
    private static final Map<String, Object> TABLE = table();

    private TorchGlobals() {
    }

    /** A callable global, named for messages. */
    record Global(String name, PickleCallable fn) implements PickleCallable {
        @Override
        public Object call(Tuple args) throws CheckpointException {
            return fn.call(args);
        }
    }

    /** A type that {@code _rebuild_from_type_v2} may rebuild into. */
    record TensorType(String name, boolean parameter) {
    }

    /** Neural Compressor's {@code DotDict}: a dict subclass, read as a plain ordered map. */
    static final class DotDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;
    }

    /**
     * Returns what the global {@code module.name} unpickles to.
     *
     * @param module the module name
     * @param name the attribute name
     * @return the value, or null when the global is not allowed
     */
    static Object lookup(String module, String name) {
        return TABLE.get(module + "." + name);
    }

    /**
     * Applies pickle's BUILD, which only ordered dicts (their attributes, such as
     * {@code _metadata}) and DotDicts (whose instance state torch files leave empty) accept.
     *
     * @param target the object on the stack
     * @param state the state
     * @param source the file, for messages
     * @throws UnsafeCheckpointException for any other target
     */
    static void build(Object target, Object state, String source) throws CheckpointException {
        if (target instanceof ScriptObject o && state instanceof Map<?, ?> m) {
            o.setState(m, source);
        } else if (target instanceof OrderedDict d && state instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    throw new CheckpointFormatException(source, "OrderedDict attribute names must be strings");
                }
                d.attributes().put(k, e.getValue());
            }
        } else if (!(target instanceof DotDict && (state == null || state instanceof Map<?, ?>))) {
            throw new UnsafeCheckpointException(source, "BUILD on " + describe(target) + " with state "
                    + describe(state) + " is not allowed");
        }
    }

    /** Describes a value by kind, never by content, for error messages. */
    static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return "global '" + g.name() + "'";
        }
        if (o instanceof StorageRef.StorageType t) {
            return "global 'torch." + t.name() + "'";
        }
        if (o instanceof ScriptObject.Type t) {
            return "global '" + t.name() + "'";
        }
        if (o instanceof TensorType t) {
            return "global '" + t.name() + "'";
        }
        if (o instanceof DType || o instanceof QScheme) {
            return "global '" + o + "'";
        }
        if (o instanceof String s) {
            return "'" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "'";
        }
        if (o instanceof List<?>) {
            return "a list";
        }
        if (o instanceof Map<?, ?>) {
            return "a dict";
        }
        return "a " + o.getClass().getSimpleName();
    }

    private static Map<String, Object> table() {
        Map<String, Object> t = new HashMap<>();
        for (DType d : DType.values()) {
            t.put("torch." + d.torchName(), d);
            if (d.storageClass() != null) {
                t.put("torch." + d.storageClass(), new StorageRef.StorageType(d.storageClass(), d));
            }
        }
        for (String alias : List.of("float", "double", "half", "long", "int", "short", "chalf", "cfloat", "cdouble")) {
            t.put("torch." + alias, DType.fromTorchName(alias));
        }
        t.put("torch.UntypedStorage", new StorageRef.StorageType("UntypedStorage", DType.UINT8));
        for (QScheme q : QScheme.values()) {
            t.put("torch." + q.torchName(), q);
        }
        t.put("torch.Tensor", new TensorType("torch.Tensor", false));
        t.put("torch.nn.parameter.Parameter", new TensorType("torch.nn.parameter.Parameter", true));
        callable(t, "collections.OrderedDict", TorchGlobals::orderedDict);
        callable(t, "neural_compressor.conf.dotdict.DotDict", TorchGlobals::dotDict);
        callable(t, "lpot.conf.dotdict.DotDict", TorchGlobals::dotDict);
        callable(t, "torch.Size", TorchGlobals::torchSize);
        callable(t, "torch.device", TorchGlobals::device);
        callable(t, "_codecs.encode", TorchGlobals::encode);
        for (String builtins : List.of("__builtin__", "builtins")) {
            callable(t, builtins + ".bytes", TorchGlobals::emptyBytes);
            callable(t, builtins + ".set", TorchGlobals::set);
            callable(t, builtins + ".frozenset", TorchGlobals::set);
        }
        callable(t, "torch._utils._rebuild_tensor", a -> TensorRebuild.tensor(a, 4, null));
        callable(t, "torch._utils._rebuild_tensor_v2", a -> TensorRebuild.tensor(a, 6, null));
        callable(t, "torch._utils._rebuild_tensor_v3", a -> TensorRebuild.tensor(a, 7, arg(a, 6, DType.class)));
        callable(t, "torch._utils._rebuild_qtensor", TensorRebuild::qtensor);
        callable(t, "torch._utils._rebuild_parameter", TensorRebuild::parameter);
        callable(t, "torch._utils._rebuild_parameter_with_state", TensorRebuild::parameter);
        callable(t, "torch._tensor._rebuild_from_type_v2", TensorRebuild::fromType);
        return Collections.unmodifiableMap(t);
    }

    private static void callable(Map<String, Object> t, String name, PickleCallable fn) {
        t.put(name, new Global(name, fn));
    }

    private static Object torchSize(Tuple a) {
        List<Object> dims = arg(a, 0, Tuple.class).items();
        for (Object d : dims) {
            if (!(d instanceof Long)) {
                throw new IllegalArgumentException("torch.Size takes ints, not " + describe(d));
            }
        }
        return Tuple.torchSize(dims);
    }

    private static Object orderedDict(Tuple a) {
        OrderedDict d = new OrderedDict();
        if (a.size() == 1 && a.get(0) instanceof List<?> pairs) {
            for (Object p : pairs) {
                List<?> kv = p instanceof Tuple t ? t.items() : p instanceof List<?> l ? l : List.of();
                if (kv.size() != 2) {
                    throw new IllegalArgumentException("OrderedDict takes pairs, not " + describe(p));
                }
                Unpickler.requireHashable(kv.get(0), 0);
                d.put(kv.get(0), kv.get(1));
            }
        } else if (a.size() != 0) {
            throw new IllegalArgumentException("OrderedDict takes no arguments or a list of pairs");
        }
        return d;
    }

    private static Object dotDict(Tuple a) {
        if (a.size() != 0) {
            throw new IllegalArgumentException("DotDict is rebuilt from no arguments");
        }
        return new DotDict();
    }

    /** Protocol 2 writes {@code b''} as {@code bytes()}; anything longer goes through {@code _codecs.encode}. */
    private static Object emptyBytes(Tuple a) {
        if (a.size() != 0) {
            throw new IllegalArgumentException("bytes is only allowed without arguments");
        }
        return new byte[0];
    }

    private static Object set(Tuple a) {
        Set<Object> s = new LinkedHashSet<>();
        if (a.size() == 1 && a.get(0) instanceof List<?> items) {
            for (Object item : items) {
                Unpickler.requireHashable(item, 0);
                s.add(item);
            }
        } else if (a.size() != 0) {
            throw new IllegalArgumentException("set takes no arguments or one list");
        }
        return s;
    }

    private static Object device(Tuple a) {
        String type = arg(a, 0, String.class);
        if (a.size() == 1) {
            return new Device(type);
        }
        return new Device(type + ":" + arg(a, 1, Long.class));
    }

    private static Object encode(Tuple a) {
        String s = arg(a, 0, String.class);
        String encoding = arg(a, 1, String.class);
        if (!encoding.equals("latin1") && !encoding.equals("latin-1")) {
            throw new IllegalArgumentException("_codecs.encode is only allowed with latin1, not " + encoding);
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0xff) {
                // Python raises UnicodeEncodeError here; getBytes would write '?' instead
                throw new IllegalArgumentException("_codecs.encode: character " + i + " is not latin1");
            }
        }
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Returns argument {@code i} of {@code a} as a {@code type}.
     *
     * @throws IllegalArgumentException if it is missing or of another type
     */
    static <T> T arg(Tuple a, int i, Class<T> type) {
        if (i >= a.size() || !type.isInstance(a.get(i))) {
            throw new IllegalArgumentException("argument " + i + " must be a " + type.getSimpleName()
                    + (i < a.size() ? ", not " + describe(a.get(i)) : ", but is missing"));
        }
        return type.cast(a.get(i));
    }

    /** Returns a tuple of ints as a long array. */
    static long[] longs(Tuple t) {
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = t.get(i);
            if (!(v instanceof Long l)) {
                throw new IllegalArgumentException("expected a tuple of ints, found " + describe(v)
                        + (v instanceof BigInteger ? " (too large)" : ""));
            }
            out[i] = l;
        }
        return out;
    }
}
