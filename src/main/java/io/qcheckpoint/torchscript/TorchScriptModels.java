package io.qcheckpoint.torchscript;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.ScriptObject;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchScriptArchive;
import io.qcheckpoint.torchscript.Ast.ClassAttr;
import io.qcheckpoint.torchscript.Ast.Const;
import io.qcheckpoint.torchscript.Ast.Expr;
import io.qcheckpoint.torchscript.Ast.ListExpr;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Builds a float {@link Module} tree from a TorchScript file ({@code torch.jit.save} of a traced or
 * scripted eager model), so that no Java model code is needed:
 *
 * <pre>{@code
 * try (Module fp32 = TorchScriptModels.load(Path.of("resnet18_fp32.pt"));
 *      QuantizedModel<?> q = Checkpoints.load(checkpointDir, fp32)) {
 *     NDArray y = q.forward(x);
 * }
 * }</pre>
 *
 * <p>The module objects of the archive give the tree, its names, parameters and buffers; torch types
 * in {@link TorchTypes} become the project's modules, with hyperparameters from the constants of
 * their compiled code; every other module becomes a {@link ScriptedModule} that runs its compiled
 * {@code forward}. Nothing in the file is executed by Python or libtorch. See docs/torchscript.md.
 */
public final class TorchScriptModels {
    private final CodeBase code;

    private TorchScriptModels(CodeBase code) {
        this.code = code;
    }

    /**
     * Imports a TorchScript file as a float module tree in eval mode.
     *
     * @param file the archive written by {@code torch.jit.save}
     * @return the tree; the caller owns (and closes) it
     * @throws io.qcheckpoint.pt.UnsafeCheckpointException if a pickle names a global outside the allowlist
     * @throws UnsupportedScriptException if its code holds a statement, operation or construct outside the
     *     tables, or a traced stub whose input cannot be known
     * @throws CheckpointFormatException if the file is not a TorchScript archive, is malformed, or its
     *     tensors do not fit its modules
     * @throws IOException if the file cannot be read
     */
    public static Module load(Path file) throws IOException {
        TorchScriptArchive archive = TorchScriptArchive.read(file);
        TorchScriptModels importer = new TorchScriptModels(new CodeBase(archive));
        importer.checkSignature(archive.root());
        Module root = importer.build(archive.root(), "");
        try {
            StateDict sd = new StateDict();
            importer.collectTensors(archive.root(), "", sd);
            root.loadStateDict(sd, true);
            root.eval();
            return root;
        } catch (StateDictMismatchException e) {
            root.close();
            throw new CheckpointFormatException(file.toString(), "its tensors do not fit its modules: " + e.getMessage(), e);
        } catch (CheckpointException | RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** A Module takes tensors and returns one: the root's forward must too. */
    private void checkSignature(ScriptObject root) throws CheckpointFormatException {
        CodeBase.Located cls = code.find(root.qualifiedName());
        Ast.Def forward = cls.def().method("forward");
        if (forward == null) {
            return;
        }
        String returns = forward.returns() == null ? "Tensor" : Compiler.dotted(forward.returns());
        boolean tensorsIn = forward.params().size() >= 2 && forward.params().stream().skip(1)
                .allMatch(p -> p.type() == null || "Tensor".equals(Compiler.dotted(p.type())));
        if (!tensorsIn || !"Tensor".equals(returns)) {
            throw new UnsupportedScriptException(code.archiveName(), cls.where(forward.line()), root.qualifiedName(),
                    "forward takes " + describe(forward) + " and returns " + (returns == null ? "a tuple" : returns)
                    + "; an imported model takes Tensors and returns one"
                    + " (GoogLeNet and Inception3 return their Outputs tuple when scripted: trace them)");
        }
    }

    private static String describe(Ast.Def method) {
        return method.params().stream().skip(1)
                .map(p -> p.name() + ": " + (p.type() == null ? "?" : Compiler.dotted(p.type())))
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private Module build(ScriptObject object, String path) throws CheckpointFormatException {
        String type = CodeBase.torchType(object.qualifiedName());
        CodeBase.Located cls = code.find(object.qualifiedName());
        TorchTypes.Factory factory = TorchTypes.factory(type);
        if (factory != null) {
            try {
                return factory.build(new TypedSource(code, cls, object, path, this::build));
            } catch (IllegalArgumentException | ArithmeticException | ClassCastException e) {
                throw new CheckpointFormatException(code.archiveName(), "module " + (path.isEmpty() ? "(root)" : path)
                        + " (" + type + "): " + e.getMessage(), e);
            }
        }
        ScriptedModule m = new ScriptedModule(type);
        try {
            fill(m, object, cls, path);
            return m;
        } catch (CheckpointException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    private void fill(ScriptedModule m, ScriptObject object, CodeBase.Located cls, String path)
            throws CheckpointFormatException {
        Set<String> tensors = new HashSet<>();
        Map<String, String> childTypes = new LinkedHashMap<>();
        Set<String> functional = new HashSet<>();
        Map<String, Program> childCode = new HashMap<>();
        for (Map.Entry<String, Object> e : object.attributes().entrySet()) {
            if (e.getValue() instanceof ScriptObject child) {
                Module c = build(child, path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                m.addChild(e.getKey(), c);
                addCallable(e.getKey(), child, c, childTypes, functional, childCode);
            }
        }
        try (NDManager staging = NDManager.newBaseManager()) {
            for (String p : names(cls, "__parameters__")) {
                m.addParameter(p, array(staging, object, p, true));
                tensors.add(p);
            }
            for (String b : names(cls, "__buffers__")) {
                m.addBuffer(b, array(staging, object, b, false));
                tensors.add(b);
            }
        }
        m.install(new Compiler(code, cls, object, childTypes, functional, tensors, childCode).compile());
    }

    /**
     * Records what the compiler needs to know of a module its code may call; a container without code
     * (ModuleList, ModuleDict) is called through, so its children are recorded under dotted names.
     */
    private static void addCallable(String name, ScriptObject object, Module module, Map<String, String> types,
            Set<String> functional, Map<String, Program> code) {
        types.put(name, CodeBase.torchType(object.qualifiedName()));
        if (module instanceof Functional) {
            functional.add(name);
        }
        if (module instanceof ScriptedModule s) {
            code.put(name, s.program());
            if (!s.program().has("forward")) {
                for (Map.Entry<String, Object> e : object.attributes().entrySet()) {
                    if (e.getValue() instanceof ScriptObject child) {
                        addCallable(name + "." + e.getKey(), child, s.child(e.getKey()), types, functional, code);
                    }
                }
            }
        }
    }

    private NDArray array(NDManager staging, ScriptObject object, String name, boolean optional)
            throws CheckpointFormatException {
        Object v = object.attributes().get(name);
        if (v == null && optional && object.attributes().containsKey(name)) {
            return null;
        }
        if (!(v instanceof Tensor t)) {
            throw new CheckpointFormatException(code.archiveName(), object.qualifiedName() + " lists " + name
                    + " as a tensor, but its object holds " + Values.describe(v));
        }
        return TensorArrays.toNDArray(staging, t);
    }

    /** The names a class lists in {@code __parameters__} or {@code __buffers__}. */
    private List<String> names(CodeBase.Located cls, String list) throws CheckpointFormatException {
        List<String> out = new ArrayList<>();
        for (ClassAttr a : cls.def().attrs()) {
            if (a.name().equals(list)) {
                Expr v = a.value();
                if (!(v instanceof ListExpr l)) {
                    throw new CheckpointFormatException(code.archiveName(), cls.where(a.line()) + ": " + list
                            + " must be a list of names");
                }
                for (Expr x : l.items()) {
                    if (!(x instanceof Const c && c.value() instanceof String s)) {
                        throw new CheckpointFormatException(code.archiveName(), cls.where(a.line()) + ": " + list
                                + " must be a list of names");
                    }
                    out.add(s);
                }
            }
        }
        return out;
    }

    private void collectTensors(ScriptObject object, String prefix, StateDict sd) throws CheckpointFormatException {
        CodeBase.Located cls = code.find(object.qualifiedName());
        for (String list : List.of("__parameters__", "__buffers__")) {
            for (String n : names(cls, list)) {
                if (object.attributes().get(n) instanceof Tensor t) {
                    sd.put(prefix + n, t);
                }
            }
        }
        for (Map.Entry<String, Object> e : object.attributes().entrySet()) {
            if (e.getValue() instanceof ScriptObject child) {
                collectTensors(child, prefix + e.getKey() + ".", sd);
            }
        }
    }
}
