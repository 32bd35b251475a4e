package io.qcheckpoint.torchscript;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.ScriptObject;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.torchscript.Ast.Assign;
import io.qcheckpoint.torchscript.Ast.Attr;
import io.qcheckpoint.torchscript.Ast.Binary;
import io.qcheckpoint.torchscript.Ast.Call;
import io.qcheckpoint.torchscript.Ast.Const;
import io.qcheckpoint.torchscript.Ast.Def;
import io.qcheckpoint.torchscript.Ast.Expr;
import io.qcheckpoint.torchscript.Ast.ExprStmt;
import io.qcheckpoint.torchscript.Ast.If;
import io.qcheckpoint.torchscript.Ast.Index;
import io.qcheckpoint.torchscript.Ast.Keyword;
import io.qcheckpoint.torchscript.Ast.ListExpr;
import io.qcheckpoint.torchscript.Ast.Name;
import io.qcheckpoint.torchscript.Ast.Pass;
import io.qcheckpoint.torchscript.Ast.Return;
import io.qcheckpoint.torchscript.Ast.Stmt;
import io.qcheckpoint.torchscript.Ast.TupleExpr;
import io.qcheckpoint.torchscript.Ast.Unary;
import io.qcheckpoint.torchscript.Program.Eval;
import io.qcheckpoint.torchscript.Program.Step;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compiles the methods of one scripted module's class into a {@link Program}: names bound to
 * submodules and globals are resolved here, calls of children become {@link ScriptedModule#callChild}
 * (or the child's {@link Functional} method), torch functions become entries of {@link AtenOps}.
 * Whatever has no entry is refused here, with the code file, line, class and operation.
 */
final class Compiler {
    private static final Set<String> GLOBAL_ROOTS = Set.of("torch", "ops", "__torch__", "math", "CONSTANTS");
    private static final Set<String> CASTS = Set.of("annotate", "unchecked_cast");

    private final CodeBase code;
    private final CodeBase.Located cls;
    private final String className;
    private final ScriptObject object;
    private final Map<String, String> childTypes;
    private final Set<String> functionalChildren;
    private final Set<String> tensorAttributes;
    private final Map<String, Program> childCode;
    private final Program program = new Program();
    private final Set<String> compiling = new HashSet<>();

    /** A submodule, or this module ({@code path} empty), named in code. */
    private record ModuleRef(String path) {
    }

    /** A dotted global such as {@code torch.flatten}. */
    private record GlobalRef(String name) {
    }

    /** A value known when compiling (a plain attribute of the module). */
    private record Constant(Object value) {
    }

    /**
     * Prepares to compile a class.
     *
     * @param code the archive's code
     * @param cls the class
     * @param object the module object (its plain attributes are constants)
     * @param childTypes the torch type of each child, by name
     * @param functionalChildren the children that are FloatFunctional
     * @param tensorAttributes the module's parameters and buffers
     * @param childCode the compiled code of the children that are scripted modules, by name
     */
    Compiler(CodeBase code, CodeBase.Located cls, ScriptObject object, Map<String, String> childTypes,
             Set<String> functionalChildren, Set<String> tensorAttributes, Map<String, Program> childCode) {
        this.code = code;
        this.cls = cls;
        this.className = object.qualifiedName();
        this.object = object;
        this.childTypes = childTypes;
        this.functionalChildren = functionalChildren;
        this.tensorAttributes = tensorAttributes;
        this.childCode = childCode;
    }

    /**
     * Compiles {@code forward} and every method it calls on {@code self}.
     *
     * @return the program
     * @throws CheckpointFormatException if the code holds anything outside the tables
     */
    Program compile() throws CheckpointFormatException {
        if (!cls.def().methods().isEmpty()) {
            compileMethod("forward", cls.def().line());
        }
        return program;
    }

    private void compileMethod(String name, int callerLine) throws CheckpointFormatException {
        Def def = cls.def().method(name);
        if (def == null) {
            throw refuse(callerLine, "no method " + name);
        }
        compile(name, def, 1, callerLine);
    }

    /** Compiles a method ({@code first} 1: its {@code self} is not an input) or a function ({@code first} 0). */
    private void compile(String name, Def def, int first, int callerLine) throws CheckpointFormatException {
        if (program.has(name) || !compiling.add(name)) {
            if (compiling.contains(name) && !program.has(name)) {
                throw refuse(callerLine, name + " calls itself; recursion is not supported");
            }
            return;
        }
        List<String> params = new ArrayList<>();
        for (int i = first; i < def.params().size(); i++) {
            params.add(def.params().get(i).name());
        }
        Scope scope = new Scope(new HashMap<>(), new HashSet<>(params), first == 1 ? def.params().get(0).name() : null);
        List<Stmt> body = StubRules.apply(def, new StubRules.Context(childTypes, this::refuse));
        program.add(new Program.Method(name, List.copyOf(params), block(body, scope)));
        compiling.remove(name);
    }

    /** Names bound when compiling (to submodules, globals, constants) and names that are locals. */
    private record Scope(Map<String, Object> statics, Set<String> locals, String self) {
        Scope copy() {
            return new Scope(new HashMap<>(statics), new HashSet<>(locals), self);
        }

        /** Whether {@code e} names the module itself (the method's first parameter, {@code self} or not). */
        boolean isSelf(Expr e) {
            return e instanceof Name n && n.id().equals(self);
        }
    }

    private Step[] block(List<Stmt> body, Scope scope) throws CheckpointFormatException {
        List<Step> steps = new ArrayList<>();
        for (Stmt s : body) {
            Step step = statement(s, scope);
            if (step != null) {
                steps.add(step);
            }
        }
        return steps.toArray(new Step[0]);
    }

    private Step statement(Stmt s, Scope scope) throws CheckpointFormatException {
        if (s instanceof Assign a) {
            Object known = a.targets().size() == 1 ? resolve(a.value(), scope) : null;
            if (known != null) {
                scope.statics().put(a.targets().get(0), known);
                scope.locals().remove(a.targets().get(0));
                return null;
            }
            Eval value = expr(a.value(), scope);
            List<String> targets = a.targets();
            for (String t : targets) {
                scope.statics().remove(t);
                scope.locals().add(t);
            }
            if (targets.size() == 1) {
                String t = targets.get(0);
                return f -> {
                    f.locals.put(t, value.eval(f));
                    return false;
                };
            }
            int line = a.line();
            return f -> {
                List<?> items = Values.list(value.eval(f));
                if (items.size() != targets.size()) {
                    throw new IllegalArgumentException(className + " line " + line + ": cannot unpack "
                            + items.size() + " values into " + targets.size());
                }
                for (int i = 0; i < targets.size(); i++) {
                    f.locals.put(targets.get(i), items.get(i));
                }
                return false;
            };
        }
        if (s instanceof Return r) {
            Eval value = expr(r.value(), scope);
            return f -> {
                f.result = value.eval(f);
                return true;
            };
        }
        if (s instanceof ExprStmt e) {
            if (e.value() instanceof Call c && "ops.prim.RaiseException".equals(dotted(c.fn()))) {
                int line = e.line();
                return f -> {
                    throw new IllegalArgumentException(className + " line " + line + " raised an exception");
                };
            }
            Eval value = expr(e.value(), scope);
            return f -> {
                value.eval(f);
                return false;
            };
        }
        if (s instanceof If i) {
            if (resolve(i.condition(), scope) instanceof Constant k && k.value() instanceof Boolean b) {
                // a branch on a module's constant attribute (transform_input, ...): only the taken one is compiled
                Step[] taken = block(b ? i.then() : i.orElse(), scope);
                return f -> Program.run(taken, f);
            }
            Eval cond = expr(i.condition(), scope);
            Step[] then = block(i.then(), scope.copy());
            Step[] orElse = block(i.orElse(), scope.copy());
            for (Stmt b : concat(i.then(), i.orElse())) {
                if (b instanceof Assign a) {
                    a.targets().forEach(t -> {
                        scope.statics().remove(t);
                        scope.locals().add(t);
                    });
                }
            }
            return f -> Program.run(Values.bool(cond.eval(f)) ? then : orElse, f);
        }
        if (s instanceof Pass) {
            return null;
        }
        throw refuse(s.line(), "statement not supported");
    }

    private static List<Stmt> concat(List<Stmt> a, List<Stmt> b) {
        List<Stmt> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** What an expression names when that is known now: a module, a global, or a constant; else null. */
    private Object resolve(Expr e, Scope scope) throws CheckpointFormatException {
        if (e instanceof Name n) {
            if (scope.isSelf(n)) {
                return new ModuleRef("");
            }
            if (scope.statics().containsKey(n.id())) {
                return scope.statics().get(n.id());
            }
            if (!scope.locals().contains(n.id()) && GLOBAL_ROOTS.contains(n.id())) {
                return new GlobalRef(n.id());
            }
            return null;
        }
        if (e instanceof Attr a) {
            return member(resolve(a.target(), scope), a.name(), a.line());
        }
        if (e instanceof Call c && c.fn() instanceof Name n && n.id().equals("getattr") && c.args().size() == 2
                && c.args().get(1) instanceof Const k && k.value() instanceof String attr) {
            return member(resolve(c.args().get(0), scope), attr, c.line());
        }
        return null;
    }

    private Object member(Object target, String name, int line) throws CheckpointFormatException {
        if (target instanceof GlobalRef g && g.name().equals("CONSTANTS")) {
            return constant(name, line);
        }
        if (target instanceof GlobalRef g) {
            return new GlobalRef(g.name() + "." + name);
        }
        if (!(target instanceof ModuleRef m)) {
            return null;
        }
        if (!m.path().isEmpty()) {
            return new ModuleRef(m.path() + "." + name);
        }
        if (childTypes.containsKey(name)) {
            return new ModuleRef(name);
        }
        if (tensorAttributes.contains(name)) {
            return null;
        }
        if (object.attributes().containsKey(name)) {
            Object v = object.attributes().get(name);
            if (v instanceof ScriptObject) {
                throw refuse(line, "attribute " + name + " is an object of class " + ((ScriptObject) v).qualifiedName()
                        + ", which is not a module of the tree");
            }
            return new Constant(v instanceof List<?> l ? Collections.unmodifiableList(l) : v);
        }
        throw refuse(line, "no attribute " + name);
    }

    /** {@code CONSTANTS.cN}: the N-th value of constants.pkl; a one-element tensor is read as its number. */
    private Constant constant(String name, int line) throws CheckpointFormatException {
        List<Object> values = code.constants();
        int i = name.matches("c\\d{1,9}") ? Integer.parseInt(name.substring(1)) : -1;
        if (i < 0 || i >= values.size()) {
            throw refuse(line, "CONSTANTS." + name + " is not in constants.pkl (" + values.size() + " values)");
        }
        Object v = values.get(i);
        if (v instanceof Tensor t && t.numel() == 1 && !t.dtype().isQuantized()
                && !t.dtype().isComplex()) {
            String type = t.dtype().torchName();
            boolean integral = type.startsWith("int") || type.startsWith("uint") || type.equals("bool");
            return new Constant(integral ? (Object) t.toLongArray()[0] : (Object) t.toDoubleArray()[0]);
        }
        throw refuse(line, "CONSTANTS." + name + " is " + Values.describe(v) + "; only one-element tensor constants"
                + " are supported");
    }

    private Eval expr(Expr e, Scope scope) throws CheckpointFormatException {
        if (e instanceof Const c) {
            Object v = c.value();
            return f -> v;
        }
        if (e instanceof Call c) {
            return call(c, scope);
        }
        Object known = resolve(e, scope);
        if (known instanceof Constant k) {
            Object v = k.value();
            return f -> v;
        }
        if (known != null) {
            throw refuse(e.line(), (known instanceof ModuleRef m ? "module " + m.path() : "global "
                    + ((GlobalRef) known).name()) + " used as a value");
        }
        if (e instanceof Name n) {
            if (!scope.locals().contains(n.id())) {
                throw refuse(n.line(), "name " + n.id() + " is not defined");
            }
            String id = n.id();
            return f -> f.locals.get(id);
        }
        if (e instanceof Attr a && scope.isSelf(a.target())) {
            String name = a.name();
            return f -> f.self.namedParameters().containsKey(name) ? f.self.parameter(name) : f.self.buffer(name);
        }
        if (e instanceof ListExpr l) {
            return items(l.items(), scope);
        }
        if (e instanceof TupleExpr t) {
            return items(t.items(), scope);
        }
        if (e instanceof Index i) {
            Eval target = expr(i.target(), scope);
            Eval index = expr(i.index(), scope);
            return f -> {
                List<?> l = Values.list(target.eval(f));
                long k = Values.integer(index.eval(f));
                return l.get((int) (k < 0 ? k + l.size() : k));
            };
        }
        if (e instanceof Binary b) {
            return Arithmetic.binary(b.op(), expr(b.left(), scope), expr(b.right(), scope), () -> refuse(b.line(),
                    "operator " + b.op() + " is not supported"));
        }
        if (e instanceof Unary u) {
            return Arithmetic.unary(u.op(), expr(u.operand(), scope));
        }
        throw refuse(e.line(), "expression not supported");
    }

    private Eval items(List<Expr> items, Scope scope) throws CheckpointFormatException {
        Eval[] parts = new Eval[items.size()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = expr(items.get(i), scope);
        }
        return f -> {
            Object[] out = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = parts[i].eval(f);
            }
            return Collections.unmodifiableList(Arrays.asList(out));
        };
    }

    private Eval call(Call c, Scope scope) throws CheckpointFormatException {
        if (c.fn() instanceof Attr a) {
            Object target = resolve(a.target(), scope);
            if (target instanceof ModuleRef m) {
                return moduleCall(m.path(), a.name(), c, scope);
            }
        }
        if (c.fn() instanceof Name n && CASTS.contains(n.id()) && c.args().size() == 2) {
            return expr(c.args().get(1), scope);
        }
        Object fn = resolve(c.fn(), scope);
        String name = fn instanceof GlobalRef g ? g.name() : c.fn() instanceof Name n ? n.id() : null;
        if (name == null) {
            throw refuse(c.line(), "call of an expression that is not a function");
        }
        if (name.startsWith("__torch__.")) {
            name = name.substring("__torch__.".length());
        }
        AtenOps.Op op = AtenOps.lookup(name);
        if (op != null) {
            return opCall(op, c, scope);
        }
        String qualified = "__torch__." + name;
        if (fn instanceof GlobalRef && c.keywords().isEmpty() && code.isNamedTuple(qualified)) {
            return items(c.args(), scope);
        }
        Def function = fn instanceof GlobalRef && c.keywords().isEmpty() ? code.function(qualified) : null;
        if (function == null) {
            throw refuse(c.line(), "operation '" + name + "' is not supported");
        }
        compile(qualified, function, 0, c.line());
        Eval args = items(c.args(), scope);
        return f -> f.self.invoke(qualified, Values.list(args.eval(f)).stream().map(x -> (Object) x).toList());
    }

    private Eval opCall(AtenOps.Op op, Call c, Scope scope) throws CheckpointFormatException {
        int n = op.params().size();
        if (c.args().size() > n) {
            throw refuse(c.line(), "operation '" + op.name() + "' takes at most " + n + " arguments, got "
                    + c.args().size());
        }
        Eval[] args = new Eval[n];
        for (int i = 0; i < c.args().size(); i++) {
            args[i] = expr(c.args().get(i), scope);
        }
        for (Keyword k : c.keywords()) {
            int i = op.params().indexOf(k.name());
            if (i < 0 || args[i] != null) {
                throw refuse(c.line(), "operation '" + op.name() + "' has no argument " + k.name() + " here");
            }
            args[i] = expr(k.value(), scope);
        }
        for (int i = 0; i < n; i++) {
            if (args[i] == null) {
                if (i < op.required()) {
                    throw refuse(c.line(), "operation '" + op.name() + "' needs argument " + op.params().get(i));
                }
                Object dflt = op.defaults().get(i - op.required());
                args[i] = f -> dflt;
            }
        }
        AtenOps.Fn fn = op.fn();
        return f -> {
            Object[] values = new Object[args.length];
            for (int i = 0; i < values.length; i++) {
                values[i] = args[i].eval(f);
            }
            return f.adopt(fn.apply(values), values);
        };
    }

    private Eval moduleCall(String path, String method, Call c, Scope scope) throws CheckpointFormatException {
        if (!c.keywords().isEmpty()) {
            throw refuse(c.line(), "keyword arguments in a call of " + (path.isEmpty() ? "self" : path));
        }
        Eval args = items(c.args(), scope);
        if (path.isEmpty()) {
            compileMethod(method, c.line());
            return f -> f.self.invoke(method, Values.list(args.eval(f)).stream().map(x -> (Object) x).toList());
        }
        if (!childTypes.containsKey(path)) {
            throw refuse(c.line(), "call of " + path + ", which is not a child of this module (nor of a container"
                    + " child without code, such as a ModuleList)");
        }
        String type = childTypes.get(path);
        if (functionalChildren.contains(path)) {
            return functionalCall(path, method, c, args);
        }
        if (TorchTypes.isTyped(type)) {
            if (!method.equals("forward") || c.args().size() != 1) {
                throw refuse(c.line(), "call " + path + "." + method + " with " + c.args().size()
                        + " inputs: a " + CodeBase.simpleName(type) + " runs forward on one input");
            }
            Eval x = expr(c.args().get(0), scope);
            return f -> f.self.callChild(path, Values.tensor(x.eval(f)));
        }
        Program childProgram = childCode.get(path);
        if (childProgram != null && !childProgram.has(method)) {
            throw refuse(c.line(), "call of " + path + "." + method + ", which has no code (a traced model never"
                    + " called it)");
        }
        if (method.equals("forward") && c.args().size() == 1) {
            Eval x = expr(c.args().get(0), scope);
            return f -> f.self.callChild(path, Values.tensor(x.eval(f)));
        }
        return f -> f.self.invokeChild(path, method, Values.list(args.eval(f)).stream().map(x -> (Object) x).toList());
    }

    private Eval functionalCall(String path, String method, Call c, Eval args) throws CheckpointFormatException {
        int n = c.args().size();
        switch (method + "/" + n) {
            case "add/2": return f -> call2(f, path, args, Functional::add);
            case "add_relu/2": return f -> call2(f, path, args, Functional::addRelu);
            case "mul/2": return f -> call2(f, path, args, Functional::mul);
            case "add_scalar/2": return f -> {
                List<?> a = Values.list(args.eval(f));
                return f.self.functionalChild(path).addScalar(Values.tensor(a.get(0)), Values.number(a.get(1)));
            };
            case "mul_scalar/2": return f -> {
                List<?> a = Values.list(args.eval(f));
                return f.self.functionalChild(path).mulScalar(Values.tensor(a.get(0)), Values.number(a.get(1)));
            };
            case "cat/1", "cat/2": return f -> {
                List<?> a = Values.list(args.eval(f));
                List<?> xs = Values.list(a.get(0));
                NDArray[] arrays = xs.stream().map(Values::tensor).toArray(NDArray[]::new);
                return f.self.functionalChild(path).cat(arrays, a.size() > 1 ? (int) Values.integer(a.get(1)) : 0);
            };
            default: throw refuse(c.line(), "FloatFunctional " + path + " has no method " + method + " taking " + n
                    + " arguments");
        }
    }

    private interface Binary2 {
        NDArray apply(Functional fn, NDArray a, NDArray b);
    }

    private static Object call2(Program.Frame f, String path, Eval args, Binary2 op) {
        List<?> a = Values.list(args.eval(f));
        return op.apply(f.self.functionalChild(path), Values.tensor(a.get(0)), Values.tensor(a.get(1)));
    }

    static String dotted(Expr e) {
        if (e instanceof Name n) {
            return n.id();
        }
        if (e instanceof Attr a) {
            String t = dotted(a.target());
            return t == null ? null : t + "." + a.name();
        }
        return null;
    }

    UnsupportedScriptException refuse(int line, String reason) {
        return new UnsupportedScriptException(code.archiveName(), cls.where(line), className, reason);
    }
}
