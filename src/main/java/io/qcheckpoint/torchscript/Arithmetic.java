package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.torchscript.Program.Eval;
import java.util.Objects;
import java.util.function.Supplier;

/** Python's operators on the scalars of compiled code (int, float, bool, None). */
final class Arithmetic {
    private Arithmetic() {
    }

    static Eval binary(String op, Eval l, Eval r, Supplier<CheckpointFormatException> unsupported)
            throws CheckpointFormatException {
        switch (op) {
            case "and": return f -> Values.bool(l.eval(f)) && Values.bool(r.eval(f));
            case "or": return f -> Values.bool(l.eval(f)) || Values.bool(r.eval(f));
            case "is", "==": return f -> Objects.equals(l.eval(f), r.eval(f));
            case "is not", "!=": return f -> !Objects.equals(l.eval(f), r.eval(f));
            case "<": return f -> compare(l.eval(f), r.eval(f)) < 0;
            case "<=": return f -> compare(l.eval(f), r.eval(f)) <= 0;
            case ">": return f -> compare(l.eval(f), r.eval(f)) > 0;
            case ">=": return f -> compare(l.eval(f), r.eval(f)) >= 0;
            case "+", "-", "*", "//", "%": return f -> integerOrFloat(op, l.eval(f), r.eval(f));
            case "/": return f -> Values.number(l.eval(f)) / Values.number(r.eval(f));
            default: throw unsupported.get();
        }
    }

    static Eval unary(String op, Eval x) {
        if (op.equals("not")) {
            return f -> !Values.bool(x.eval(f));
        }
        return f -> {
            Object v = x.eval(f);
            return v instanceof Long l ? (Object) Math.negateExact(l) : (Object) (-Values.number(v));
        };
    }

    private static int compare(Object a, Object b) {
        return Double.compare(Values.number(a), Values.number(b));
    }

    private static Object integerOrFloat(String op, Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            switch (op) {
                case "+": return Math.addExact(x, y);
                case "-": return Math.subtractExact(x, y);
                case "*": return Math.multiplyExact(x, y);
                case "//": return Math.floorDiv(x, y);
                default: return Math.floorMod(x, y);
            }
        }
        double x = Values.number(a);
        double y = Values.number(b);
        switch (op) {
            case "+": return x + y;
            case "-": return x - y;
            case "*": return x * y;
            case "//": return Math.floor(x / y);
            default: return x - Math.floor(x / y) * y;
        }
    }
}
