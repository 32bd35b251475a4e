package io.qcheckpoint.torchscript;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.ScriptObject;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.torchscript.Ast.Assign;
import io.qcheckpoint.torchscript.Ast.Call;
import io.qcheckpoint.torchscript.Ast.Const;
import io.qcheckpoint.torchscript.Ast.Def;
import io.qcheckpoint.torchscript.Ast.Expr;
import io.qcheckpoint.torchscript.Ast.ExprStmt;
import io.qcheckpoint.torchscript.Ast.If;
import io.qcheckpoint.torchscript.Ast.ListExpr;
import io.qcheckpoint.torchscript.Ast.Name;
import io.qcheckpoint.torchscript.Ast.Return;
import io.qcheckpoint.torchscript.Ast.Stmt;
import io.qcheckpoint.torchscript.Ast.TupleExpr;
import io.qcheckpoint.torchscript.Ast.Unary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a module of a type in {@link TorchTypes} is built from: its object (tensors), the operation
 * its compiled code calls with its hyperparameters as constants, and its children (fused modules).
 */
final class TypedSource {
    private final CodeBase code;
    private final CodeBase.Located cls;
    private final ScriptObject object;
    private final String path;
    private final ChildBuilder children;

    /** Builds a child module of the tree. */
    @FunctionalInterface
    interface ChildBuilder {
        Module build(ScriptObject child, String path) throws CheckpointFormatException;
    }

    /** The operation found in the code and its arguments (constants; null for a non-constant argument). */
    record OpCall(String name, List<Object> args, int line) {
        Object arg(int i, Object dflt) {
            return i < args.size() ? args.get(i) : dflt;
        }
    }

    TypedSource(CodeBase code, CodeBase.Located cls, ScriptObject object, String path, ChildBuilder children) {
        this.code = code;
        this.cls = cls;
        this.object = object;
        this.path = path;
        this.children = children;
    }

    String path() {
        return path;
    }

    /** The tensor attribute {@code name}, or null where it is None or absent (a traced {@code bias=None}). */
    Tensor tensor(String name) throws CheckpointFormatException {
        Object v = object.attributes().get(name);
        if (v == null || v instanceof Tensor) {
            return (Tensor) v;
        }
        throw error("attribute " + name + " is not a tensor");
    }

    /** A class attribute's constant ({@code eps : Final[float] = 1e-05}), or null where the class has none. */
    Object classConstant(String name) {
        for (Ast.ClassAttr a : cls.def().attrs()) {
            if (a.name().equals(name) && a.value() instanceof Const c) {
                return c.value();
            }
        }
        return null;
    }

    /** The shape of a tensor attribute that must be present. */
    long[] shape(String name, int rank) throws CheckpointFormatException {
        Tensor t = tensor(name);
        if (t == null || t.dim() != rank) {
            throw error(name + " must be a tensor of rank " + rank);
        }
        return t.shape();
    }

    /** Builds the children {@code "0"}, {@code "1"}, ... of a fused module. */
    List<Module> sequence() throws CheckpointFormatException {
        List<Module> out = new ArrayList<>();
        try {
            for (int i = 0; object.attributes().get(Integer.toString(i)) instanceof ScriptObject child; i++) {
                out.add(children.build(child, path + "." + i));
            }
            return out;
        } catch (CheckpointFormatException | RuntimeException e) {
            out.forEach(Module::close);
            throw e;
        }
    }

    /**
     * Finds the one operation of {@code names} that the class's code calls, and checks it calls no
     * other operation.
     *
     * @param names the operations that may carry the hyperparameters; empty for none
     * @return the call, or null when names is empty
     * @throws UnsupportedScriptException if the code calls another operation, or none or several of names
     */
    OpCall op(Set<String> names) throws CheckpointFormatException {
        if (cls.def().methods().isEmpty() && !names.isEmpty()) {
            throw refuse(cls.def().line(), "has no code (a traced model never called it), so its hyperparameters"
                    + " are unknown");
        }
        return find(names);
    }

    /**
     * As {@link #op}, for a type without hyperparameters: a class without code (never called when traced)
     * is accepted.
     */
    void opIfCalled(Set<String> names) throws CheckpointFormatException {
        if (!cls.def().methods().isEmpty()) {
            find(names);
        }
    }

    private OpCall find(Set<String> names) throws CheckpointFormatException {
        List<OpCall> found = new ArrayList<>();
        for (Def d : cls.def().methods()) {
            Map<String, String> globals = new HashMap<>();
            collect(d.body(), globals, found);
        }
        OpCall match = null;
        for (OpCall c : found) {
            if (!names.contains(c.name())) {
                throw refuse(c.line(), "operation '" + c.name() + "' in a " + CodeBase.simpleName(
                        CodeBase.torchType(object.qualifiedName())) + " is not supported (expected " + names + ")");
            }
            if (match != null) {
                throw refuse(c.line(), "a second call of '" + c.name() + "'");
            }
            match = c;
        }
        if (match == null && !names.isEmpty()) {
            throw refuse(cls.def().line(), "its code calls none of " + names);
        }
        return match;
    }

    private void collect(List<Stmt> body, Map<String, String> globals, List<OpCall> found) {
        for (Stmt s : body) {
            if (s instanceof Assign a) {
                String g = Compiler.dotted(a.value());
                if (g != null && g.startsWith("__torch__.") && a.targets().size() == 1) {
                    globals.put(a.targets().get(0), g);
                    continue;
                }
                collect(a.value(), globals, found);
            } else if (s instanceof Return r) {
                collect(r.value(), globals, found);
            } else if (s instanceof ExprStmt e) {
                collect(e.value(), globals, found);
            } else if (s instanceof If i) {
                collect(i.condition(), globals, found);
                collect(i.then(), globals, found);
                collect(i.orElse(), globals, found);
            }
        }
    }

    private void collect(Expr e, Map<String, String> globals, List<OpCall> found) {
        if (e instanceof Call c) {
            String dotted = Compiler.dotted(c.fn());
            String name = c.fn() instanceof Name n && globals.containsKey(n.id()) ? globals.get(n.id())
                    : dotted != null && (dotted.startsWith("torch.") || dotted.startsWith("ops.")
                    || dotted.startsWith("__torch__.")) ? dotted : null;
            if (name != null) {
                List<Object> args = new ArrayList<>();
                for (Expr x : c.args()) {
                    args.add(constant(x));
                }
                found.add(new OpCall(name.startsWith("__torch__.") ? name.substring(10) : name, args, c.line()));
            }
            c.args().forEach(x -> collect(x, globals, found));
        } else if (e instanceof TupleExpr t) {
            t.items().forEach(x -> collect(x, globals, found));
        } else if (e instanceof ListExpr l) {
            l.items().forEach(x -> collect(x, globals, found));
        }
    }

    private static Object constant(Expr e) {
        if (e instanceof Const c) {
            return c.value() == null ? NONE : c.value();
        }
        if (e instanceof Unary u && u.operand() instanceof Const c && c.value() instanceof Number) {
            return null;
        }
        List<Expr> items = e instanceof ListExpr l ? l.items() : e instanceof TupleExpr t ? t.items() : null;
        if (items == null) {
            return null;
        }
        List<Object> out = new ArrayList<>();
        for (Expr x : items) {
            Object v = constant(x);
            if (v == null) {
                return null;
            }
            out.add(v);
        }
        return out;
    }

    /** A None argument, told apart from a non-constant one (null). */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** An int-list argument of the call, e.g. {@code [2, 2]}. */
    long[] longs(OpCall c, int i, long[] dflt) throws CheckpointFormatException {
        Object v = c.arg(i, null);
        if (v == null && i >= c.args().size() && dflt != null) {
            return dflt;
        }
        try {
            return Values.longs(v);
        } catch (IllegalArgumentException e) {
            throw refuse(c.line(), "argument " + i + " of " + c.name() + " must be a constant int list, got " + v);
        }
    }

    /** A constant argument of the call of type {@code type}, or {@code dflt} when the call has fewer. */
    <T> T constant(OpCall c, int i, Class<T> type, T dflt) throws CheckpointFormatException {
        if (i >= c.args().size()) {
            return dflt;
        }
        Object v = c.args().get(i);
        if (type == Double.class && v instanceof Long l) {
            return type.cast(l.doubleValue());
        }
        if (!type.isInstance(v)) {
            throw refuse(c.line(), "argument " + i + " of " + c.name() + " must be a constant "
                    + type.getSimpleName() + ", got " + v);
        }
        return type.cast(v);
    }

    UnsupportedScriptException refuse(int line, String reason) {
        return new UnsupportedScriptException(code.archiveName(), cls.where(line), object.qualifiedName(),
                "module " + (path.isEmpty() ? "(root)" : path) + ": " + reason);
    }

    CheckpointFormatException error(String reason) {
        return new CheckpointFormatException(code.archiveName(), "module " + (path.isEmpty() ? "(root)" : path) + " ("
                + object.qualifiedName() + ") " + reason);
    }

    static long[] ones(int n) {
        long[] out = new long[n];
        Arrays.fill(out, 1);
        return out;
    }
}
