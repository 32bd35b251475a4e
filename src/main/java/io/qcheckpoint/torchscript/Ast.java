package io.qcheckpoint.torchscript;

import java.util.List;

/** The syntax tree of the Python subset that TorchScript writes under an archive's {@code code/}. */
final class Ast {
    private Ast() {
    }

    /** An expression; {@code line} is its line in the code file. */
    sealed interface Expr permits Name, Const, ListExpr, TupleExpr, Attr, Call, Index, Binary, Unary {
        int line();
    }

    /** A name: a local, a parameter, {@code self}, or the first part of a dotted global. */
    record Name(String id, int line) implements Expr {
    }

    /** A literal: Long, Double, Boolean, String or null. */
    record Const(Object value, int line) implements Expr {
    }

    /** {@code [a, b]}. */
    record ListExpr(List<Expr> items, int line) implements Expr {
    }

    /** {@code (a, b)}. */
    record TupleExpr(List<Expr> items, int line) implements Expr {
    }

    /** {@code target.name}. */
    record Attr(Expr target, String name, int line) implements Expr {
    }

    /** {@code fn(args, key=value)}; keyword arguments in order as {@link Keyword}s after the positional ones. */
    record Call(Expr fn, List<Expr> args, List<Keyword> keywords, int line) implements Expr {
    }

    /** A keyword argument. */
    record Keyword(String name, Expr value) {
    }

    /** {@code target[index]}. */
    record Index(Expr target, Expr index, int line) implements Expr {
    }

    /** {@code a op b}, op one of + - * / // % ** == != < <= > >= and or is in. */
    record Binary(String op, Expr left, Expr right, int line) implements Expr {
    }

    /** {@code -a}, {@code not a}. */
    record Unary(String op, Expr operand, int line) implements Expr {
    }

    /** A statement of a method body. */
    sealed interface Stmt permits Assign, Return, ExprStmt, If, Pass {
        int line();
    }

    /** {@code a = e} or {@code a, b = e}. */
    record Assign(List<String> targets, Expr value, int line) implements Stmt {
    }

    /** {@code return e}. */
    record Return(Expr value, int line) implements Stmt {
    }

    /** An expression evaluated for its effect. */
    record ExprStmt(Expr value, int line) implements Stmt {
    }

    /** {@code if c: ... else: ...}. */
    record If(Expr condition, List<Stmt> then, List<Stmt> orElse, int line) implements Stmt {
    }

    /** {@code pass}. */
    record Pass(int line) implements Stmt {
    }

    /** A parameter of a method. */
    record Param(String name, Expr type, Expr defaultValue) {
    }

    /** A {@code def}: in a class (with {@code self} first) or at the top of a file. */
    record Def(String name, List<Param> params, Expr returns, List<Stmt> body, int line) {
    }

    /** A class attribute line: {@code name : type [= value]} or {@code name = value}. */
    record ClassAttr(String name, Expr type, Expr value, int line) {
    }

    /** A class of a code file. */
    record ClassDef(String name, List<ClassAttr> attrs, List<Def> methods, int line) {
        Def method(String methodName) {
            for (Def d : methods) {
                if (d.name().equals(methodName)) {
                    return d;
                }
            }
            return null;
        }
    }

    /** A parsed code file: its classes and top-level functions. */
    record CodeFile(String path, List<ClassDef> classes, List<Def> functions) {
    }
}
