package io.qcheckpoint.pt;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An instance of a TorchScript class ({@code __torch__.<qualified name>}) as a TorchScript
 * archive's {@code data.pkl} holds it: the class's qualified name and its attributes (submodules,
 * tensors, plain values), read as data. Nothing of the class runs; its code is text in the archive.
 */
public final class ScriptObject {
    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    private final String qualifiedName;
    private final Map<String, Object> attributes = new LinkedHashMap<>();
    private boolean built;

    private ScriptObject(String qualifiedName) {
        this.qualifiedName = qualifiedName;
    }

    /** The value a {@code __torch__} class global unpickles to; NEWOBJ of it makes an empty instance. */
    record Type(String name) implements PickleCallable {
        @Override
        public Object call(Tuple args) {
            if (args.size() != 0) {
                throw new IllegalArgumentException("a TorchScript object is created without arguments");
            }
            return new ScriptObject(name);
        }
    }

    /**
     * What a global of a TorchScript archive's pickles unpickles to, beyond torch.save's allowlist:
     * a class of the archive's own code ({@code __torch__.*}), or one of the list builders torch's
     * pickler writes for typed lists ({@code torch.jit._pickle.build_intlist([...])}), which return
     * their argument.
     *
     * @return the value, or null when the global is not allowed
     */
    static Object global(String module, String name) {
        if (isScriptClass(module, name)) {
            return new Type(module + "." + name);
        }
        return module.equals("torch.jit._pickle") ? SCRIPT_GLOBALS.get(name) : null;
    }

    private static final Map<String, PickleCallable> SCRIPT_GLOBALS = scriptGlobals();

    private static Map<String, PickleCallable> scriptGlobals() {
        Map<String, PickleCallable> t = new HashMap<>();
        for (String list : List.of("build_intlist", "build_doublelist", "build_boollist", "build_tensorlist",
                "build_complexlist")) {
            t.put(list, args -> {
                if (args.size() != 1 || !(args.get(0) instanceof List<?>)) {
                    throw new IllegalArgumentException("torch.jit._pickle." + list + " takes one list");
                }
                return args.get(0);
            });
        }
        t.put("restore_type_tag", args -> {
            if (args.size() != 2 || !(args.get(1) instanceof String)) {
                throw new IllegalArgumentException("torch.jit._pickle.restore_type_tag takes a value and a type name");
            }
            return args.get(0);
        });
        return Collections.unmodifiableMap(t);
    }

    /** Whether {@code module.name} names a class of a TorchScript archive's own code. */
    private static boolean isScriptClass(String module, String name) {
        return (module.equals("__torch__") || module.startsWith("__torch__.")) && NAME.matcher(module).matches()
                && NAME.matcher(name).matches() && !name.contains(".");
    }

    /**
     * Returns the class's qualified name as the archive writes it, e.g.
     * {@code __torch__.torch.nn.modules.conv.___torch_mangle_4.Conv2d}.
     */
    public String qualifiedName() {
        return qualifiedName;
    }

    /** Returns the attributes by name, in the order the archive wrote them, unmodifiable. */
    public Map<String, Object> attributes() {
        return Collections.unmodifiableMap(attributes);
    }

    /** BUILD: sets the attributes, once, from a dict with string keys. */
    void setState(Map<?, ?> state, String source) throws CheckpointException {
        if (built) {
            throw new CheckpointFormatException(source, "TorchScript object of " + qualifiedName + " is built twice");
        }
        built = true;
        for (Map.Entry<?, ?> e : state.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new CheckpointFormatException(source, "attribute names of " + qualifiedName + " must be strings");
            }
            attributes.put(k, e.getValue());
        }
    }

    @Override
    public String toString() {
        return qualifiedName + attributes.keySet();
    }
}
