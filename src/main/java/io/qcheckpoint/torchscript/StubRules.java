package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;
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
import io.qcheckpoint.torchscript.Ast.Return;
import io.qcheckpoint.torchscript.Ast.Stmt;
import io.qcheckpoint.torchscript.Ast.TupleExpr;
import io.qcheckpoint.torchscript.Ast.Unary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recovers where QuantStub, DeQuantStub and FloatFunctional act in a traced method, whose code has
 * lost their data flow: {@code torch.jit.trace} records a call of an identity-like module as
 * {@code _0 = (quant).forward()}, without its input, and FloatFunctional's operations as plain
 * {@code torch.add}/{@code torch.relu}/... followed by {@code (activation_post_process).forward()}.
 * Scripted methods keep the calls and pass through unchanged. The rules (docs/torchscript.md):
 *
 * <ol>
 *   <li>An input-less call of an Identity or Dropout child is dropped.</li>
 *   <li>An input-less call of a QuantStub or DeQuantStub child acts on the value of the nearest
 *       statement before it that assigns one value, or, when there is none, on the method's only
 *       input; every later use of that value uses the stub's output instead. Refused when that value
 *       is not used later, or the method has several inputs and nothing came before.</li>
 *   <li>An input-less call of {@code F.activation_post_process}, F a FloatFunctional child, makes
 *       the statement that assigned the nearest value before it F's operation:
 *       {@code torch.relu(W)} right after {@code W = torch.add(a, b)} becomes
 *       {@code F.add_relu(a, b)}; {@code torch.add(a, b)}, {@code torch.mul(a, b)},
 *       {@code torch.cat(xs, dim)} become {@code F.add}, {@code F.mul}, {@code F.cat}; anything else
 *       is refused.</li>
 *   <li>Any other input-less call is refused.</li>
 * </ol>
 */
final class StubRules {
    private static final Set<String> DROPPED = Set.of("Identity", "Dropout");
    private static final Set<String> STUBS = Set.of("QuantStub", "DeQuantStub");
    private static final String OBSERVER = "activation_post_process";

    /** Builds the refusal for a line. */
    @FunctionalInterface
    interface Refuser {
        UnsupportedScriptException refuse(int line, String reason);
    }

    /**
     * What the rules need to know of the module.
     *
     * @param childTypes the torch type of each child, by name
     * @param refuser makes refusals
     */
    record Context(Map<String, String> childTypes, Refuser refuser) {
    }

    private final Def def;
    private final Context ctx;
    private final List<Stmt> out = new ArrayList<>();
    private final List<Integer> valueStatements = new ArrayList<>();
    private final Map<String, String> refs = new HashMap<>();
    private final Map<String, String> rename = new HashMap<>();
    private int fresh;

    private StubRules(Def def, Context ctx) {
        this.def = def;
        this.ctx = ctx;
    }

    /**
     * Applies the rules to a method.
     *
     * @param def the method
     * @param ctx the module's children
     * @return the method's statements with every input-less call resolved
     * @throws CheckpointFormatException if a call cannot be resolved by the rules
     */
    static List<Stmt> apply(Def def, Context ctx) throws CheckpointFormatException {
        if (!hasInputlessCall(def.body(), ctx, false)) {
            return def.body();
        }
        return new StubRules(def, ctx).rewrite();
    }

    private static boolean hasInputlessCall(List<Stmt> body, Context ctx, boolean nested)
            throws CheckpointFormatException {
        for (Stmt s : body) {
            if (s instanceof If i) {
                if (hasInputlessCall(i.then(), ctx, true) || hasInputlessCall(i.orElse(), ctx, true)) {
                    return true;
                }
            } else if (inputless(s) != null) {
                if (nested) {
                    throw ctx.refuser().refuse(s.line(), "a traced call without input inside an if");
                }
                return true;
            }
        }
        return false;
    }

    /** The name called by {@code x = (name).forward()} or {@code (name).forward()}, or null. */
    private static String inputless(Stmt s) {
        Expr v = s instanceof Assign a ? a.value() : s instanceof ExprStmt e ? e.value() : null;
        if (v instanceof Call c && c.args().isEmpty() && c.keywords().isEmpty() && c.fn() instanceof Attr a
                && a.name().equals("forward") && a.target() instanceof Name n) {
            return n.id();
        }
        return null;
    }

    private List<Stmt> rewrite() throws CheckpointFormatException {
        List<Stmt> body = def.body();
        for (int i = 0; i < body.size(); i++) {
            Stmt s = renamed(body.get(i));
            String binding = binding(s);
            if (binding != null) {
                refs.put(((Assign) s).targets().get(0), binding);
                out.add(s);
                continue;
            }
            String called = inputless(s);
            if (called != null) {
                resolve(called, s.line(), body.subList(i + 1, body.size()));
                continue;
            }
            if (s instanceof Assign a && a.targets().size() == 1) {
                valueStatements.add(out.size());
            } else if (s instanceof Assign) {
                valueStatements.add(-1);
            }
            out.add(s);
        }
        return out;
    }

    /** The child path a statement binds a name to ({@code x = self.a}, {@code getattr(self, "a")}, {@code y = x.b}). */
    private String binding(Stmt s) {
        if (!(s instanceof Assign a) || a.targets().size() != 1) {
            return null;
        }
        Expr v = a.value();
        if (v instanceof Attr at && at.target() instanceof Name n) {
            if (n.id().equals(self()) && ctx.childTypes().containsKey(at.name())) {
                return at.name();
            }
            String parent = refs.get(n.id());
            return parent == null ? null : parent + "." + at.name();
        }
        if (v instanceof Call c && c.fn() instanceof Name f && f.id().equals("getattr") && c.args().size() == 2
                && c.args().get(0) instanceof Name n && n.id().equals(self())
                && c.args().get(1) instanceof Const k && k.value() instanceof String attr
                && ctx.childTypes().containsKey(attr)) {
            return attr;
        }
        return null;
    }

    private void resolve(String called, int line, List<Stmt> rest) throws CheckpointFormatException {
        String path = refs.get(called);
        if (path == null) {
            throw ctx.refuser().refuse(line, "traced call of " + called + ", which is not a submodule");
        }
        int dot = path.indexOf('.');
        String child = dot < 0 ? path : path.substring(0, dot);
        String kind = CodeBase.simpleName(ctx.childTypes().get(child));
        boolean typed = TorchTypes.isTyped(ctx.childTypes().get(child));
        if (typed && dot < 0 && DROPPED.contains(kind)) {
            return;
        }
        if (typed && dot < 0 && STUBS.contains(kind)) {
            stub(path, kind, line, rest);
        } else if (typed && kind.equals("FloatFunctional") && path.equals(child + "." + OBSERVER)) {
            floatFunctional(child, line);
        } else {
            throw ctx.refuser().refuse(line, "traced call of " + path + " (" + (dot < 0 ? kind : "a part of a " + kind)
                    + ") without an input: cannot tell what it acts on");
        }
    }

    private void stub(String path, String kind, int line, List<Stmt> rest) throws CheckpointFormatException {
        String value = lastValue();
        if (value == null) {
            if (def.params().size() != 2) {
                throw ctx.refuser().refuse(line, kind + " " + path + " is called before any statement of a method with "
                        + (def.params().size() - 1) + " inputs: cannot tell which input it acts on");
            }
            value = def.params().get(1).name();
        }
        boolean used = false;
        for (Stmt s : rest) {
            used |= uses(renamed(s), value);
        }
        if (!used) {
            throw ctx.refuser().refuse(line, kind + " " + path + " would act on " + value
                    + ", which nothing uses afterwards: cannot tell what it acts on");
        }
        String output = "__" + path + "_" + fresh++;
        out.add(new Assign(List.of(output), new Call(new Attr(new Attr(new Name(self(), line), path, line), "forward",
                line), List.of(new Name(value, line)), List.of(), line), line));
        valueStatements.add(out.size() - 1);
        rename.put(value, output);
    }

    private String lastValue() {
        if (valueStatements.isEmpty()) {
            return null;
        }
        int i = valueStatements.get(valueStatements.size() - 1);
        return i < 0 ? null : ((Assign) out.get(i)).targets().get(0);
    }

    private void floatFunctional(String ff, int line) throws CheckpointFormatException {
        int last = valueStatements.isEmpty() ? -1 : valueStatements.get(valueStatements.size() - 1);
        Assign s = last < 0 ? null : (Assign) out.get(last);
        Call c = s != null && s.value() instanceof Call call ? call : null;
        String fn = c == null ? null : Compiler.dotted(c.fn());
        String target = s == null ? null : s.targets().get(0);
        if ("torch.relu".equals(fn) && c.args().size() == 1 && c.args().get(0) instanceof Name w
                && valueStatements.size() >= 2) {
            int prev = valueStatements.get(valueStatements.size() - 2);
            Assign p = prev < 0 ? null : (Assign) out.get(prev);
            if (p != null && p.targets().get(0).equals(w.id()) && p.value() instanceof Call add
                    && isBinary(add, "torch.add") && !usedOutside(w.id(), prev, last)) {
                out.set(prev, assign(target, ff, "add_relu", add.args().subList(0, 2), line));
                out.remove(last);
                valueStatements.remove(valueStatements.size() - 1);
                return;
            }
        }
        String method = c == null ? null : isBinary(c, "torch.add") ? "add" : isBinary(c, "torch.mul") ? "mul"
                : "torch.cat".equals(fn) && c.keywords().isEmpty() && c.args().size() <= 2 ? "cat" : null;
        if (method == null) {
            throw ctx.refuser().refuse(line, "FloatFunctional " + ff + ": cannot tell which of its operations made "
                    + (target == null ? "the value before" : target) + " (expected torch.add, torch.mul, torch.cat, or"
                    + " torch.relu of torch.add right before)");
        }
        out.set(last, assign(target, ff, method, c.args(), line));
    }

    private static boolean isBinary(Call c, String name) {
        if (!name.equals(Compiler.dotted(c.fn())) || !c.keywords().isEmpty() || c.args().size() < 2
                || c.args().size() > 3 || c.args().get(1) instanceof Const) {
            return false;
        }
        return c.args().size() == 2 || c.args().get(2) instanceof Const k && Long.valueOf(1).equals(k.value());
    }

    private boolean usedOutside(String name, int definedAt, int allowedUse) {
        for (int i = definedAt + 1; i < out.size(); i++) {
            if (i != allowedUse && uses(out.get(i), name)) {
                return true;
            }
        }
        return false;
    }

    /** The name of the module itself in the method: its first parameter. */
    private String self() {
        return def.params().isEmpty() ? "self" : def.params().get(0).name();
    }

    private Assign assign(String target, String ff, String method, List<Expr> args, int line) {
        Expr fn = new Attr(new Attr(new Name(self(), line), ff, line), method, line);
        return new Assign(List.of(target), new Call(fn, args, List.of(), line), line);
    }

    private Stmt renamed(Stmt s) {
        if (rename.isEmpty()) {
            return s;
        }
        if (s instanceof Assign a) {
            return new Assign(a.targets(), renamed(a.value()), a.line());
        }
        if (s instanceof Return r) {
            return new Return(renamed(r.value()), r.line());
        }
        if (s instanceof ExprStmt e) {
            return new ExprStmt(renamed(e.value()), e.line());
        }
        return s;
    }

    private Expr renamed(Expr e) {
        if (e instanceof Name n) {
            String to = rename.get(n.id());
            return to == null ? n : new Name(to, n.line());
        }
        if (e instanceof Attr a) {
            return new Attr(renamed(a.target()), a.name(), a.line());
        }
        if (e instanceof Call c) {
            List<Keyword> kw = new ArrayList<>();
            for (Keyword k : c.keywords()) {
                kw.add(new Keyword(k.name(), renamed(k.value())));
            }
            return new Call(renamed(c.fn()), renamedAll(c.args()), kw, c.line());
        }
        if (e instanceof ListExpr l) {
            return new ListExpr(renamedAll(l.items()), l.line());
        }
        if (e instanceof TupleExpr t) {
            return new TupleExpr(renamedAll(t.items()), t.line());
        }
        if (e instanceof Index i) {
            return new Index(renamed(i.target()), renamed(i.index()), i.line());
        }
        if (e instanceof Binary b) {
            return new Binary(b.op(), renamed(b.left()), renamed(b.right()), b.line());
        }
        if (e instanceof Unary u) {
            return new Unary(u.op(), renamed(u.operand()), u.line());
        }
        return e;
    }

    private List<Expr> renamedAll(List<Expr> items) {
        List<Expr> out = new ArrayList<>();
        for (Expr x : items) {
            out.add(renamed(x));
        }
        return out;
    }

    private static boolean uses(Stmt s, String name) {
        if (s instanceof Assign a) {
            return uses(a.value(), name);
        }
        if (s instanceof Return r) {
            return uses(r.value(), name);
        }
        if (s instanceof ExprStmt e) {
            return uses(e.value(), name);
        }
        return s instanceof If;
    }

    private static boolean uses(Expr e, String name) {
        if (e instanceof Name n) {
            return n.id().equals(name);
        }
        if (e instanceof Attr a) {
            return uses(a.target(), name);
        }
        if (e instanceof Call c) {
            return uses(c.fn(), name) || c.args().stream().anyMatch(x -> uses(x, name))
                    || c.keywords().stream().anyMatch(k -> uses(k.value(), name));
        }
        if (e instanceof ListExpr l) {
            return l.items().stream().anyMatch(x -> uses(x, name));
        }
        if (e instanceof TupleExpr t) {
            return t.items().stream().anyMatch(x -> uses(x, name));
        }
        if (e instanceof Index i) {
            return uses(i.target(), name) || uses(i.index(), name);
        }
        if (e instanceof Binary b) {
            return uses(b.left(), name) || uses(b.right(), name);
        }
        return e instanceof Unary u && uses(u.operand(), name);
    }
}
