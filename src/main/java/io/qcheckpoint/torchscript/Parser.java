package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.torchscript.Ast.Assign;
import io.qcheckpoint.torchscript.Ast.Attr;
import io.qcheckpoint.torchscript.Ast.Binary;
import io.qcheckpoint.torchscript.Ast.Call;
import io.qcheckpoint.torchscript.Ast.ClassAttr;
import io.qcheckpoint.torchscript.Ast.ClassDef;
import io.qcheckpoint.torchscript.Ast.CodeFile;
import io.qcheckpoint.torchscript.Ast.Const;
import io.qcheckpoint.torchscript.Ast.Def;
import io.qcheckpoint.torchscript.Ast.Expr;
import io.qcheckpoint.torchscript.Ast.ExprStmt;
import io.qcheckpoint.torchscript.Ast.If;
import io.qcheckpoint.torchscript.Ast.Index;
import io.qcheckpoint.torchscript.Ast.Keyword;
import io.qcheckpoint.torchscript.Ast.ListExpr;
import io.qcheckpoint.torchscript.Ast.Name;
import io.qcheckpoint.torchscript.Ast.Param;
import io.qcheckpoint.torchscript.Ast.Pass;
import io.qcheckpoint.torchscript.Ast.Return;
import io.qcheckpoint.torchscript.Ast.Stmt;
import io.qcheckpoint.torchscript.Ast.TupleExpr;
import io.qcheckpoint.torchscript.Ast.Unary;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses one code file of a TorchScript archive: the Python subset torch's code printer writes
 * (classes with attribute lines and methods; functions; assignments, returns, if/else, pass;
 * calls, attributes, indexing, literals, arithmetic and comparisons). Anything else is refused
 * with the file and line. Recursive descent over {@link Lexer}'s tokens; nesting is bounded.
 */
final class Parser {
    private static final int MAX_NESTING = 200;
    private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");
    private static final Set<String> SUMS = Set.of("+", "-");
    private static final Set<String> PRODUCTS = Set.of("*", "/", "//", "%", "@");

    private final String archive;
    private final String path;
    private final List<Lexer.Token> tokens;
    private int pos;
    private int depth;
    private String currentClass;

    private Parser(String archive, String path, List<Lexer.Token> tokens) {
        this.archive = archive;
        this.path = path;
        this.tokens = tokens;
    }

    /**
     * Parses a code file.
     *
     * @param archive the archive, for messages
     * @param path the file's path under {@code code/}
     * @param text its text
     * @return its classes and functions
     * @throws CheckpointFormatException if the text is outside the subset
     */
    static CodeFile parse(String archive, String path, String text) throws CheckpointFormatException {
        Parser p = new Parser(archive, path, new Lexer(archive, path, text).tokens());
        try {
            return p.file();
        } catch (StackOverflowError e) {
            throw p.error("expressions nest too deeply");
        }
    }

    private CodeFile file() throws CheckpointFormatException {
        List<ClassDef> classes = new ArrayList<>();
        List<Def> functions = new ArrayList<>();
        while (!at(Lexer.Kind.EOF)) {
            if (accept(Lexer.Kind.NEWLINE)) {
                continue;
            }
            if (atWord("class")) {
                classes.add(classDef());
            } else if (atWord("def")) {
                functions.add(def());
            } else if (atWord("import") || atWord("from")) {
                skipLine();
            } else {
                throw error("expected a class or def, found '" + peek().text() + "'");
            }
        }
        return new CodeFile(path, classes, functions);
    }

    private void skipLine() {
        while (!at(Lexer.Kind.NEWLINE) && !at(Lexer.Kind.EOF)) {
            pos++;
        }
    }

    private ClassDef classDef() throws CheckpointFormatException {
        int line = next().line();
        String name = name();
        currentClass = name;
        if (accept("(")) {
            while (!accept(")")) {
                next();
            }
        }
        expect(":");
        expect(Lexer.Kind.NEWLINE);
        expect(Lexer.Kind.INDENT);
        List<ClassAttr> attrs = new ArrayList<>();
        List<Def> methods = new ArrayList<>();
        while (!accept(Lexer.Kind.DEDENT)) {
            if (accept(Lexer.Kind.NEWLINE)) {
                continue;
            }
            if (atWord("def")) {
                methods.add(def());
            } else {
                attrs.add(classAttr());
            }
        }
        currentClass = null;
        return new ClassDef(name, attrs, methods, line);
    }

    private ClassAttr classAttr() throws CheckpointFormatException {
        int line = peek().line();
        Expr target = expr();
        String name = target instanceof Name n ? n.id()
                : target instanceof Index i && i.index() instanceof Const c && c.value() instanceof String s ? s
                : null;
        if (name == null) {
            throw error("unexpected class attribute line");
        }
        Expr type = accept(":") ? expr() : null;
        Expr value = accept("=") ? expr() : null;
        if (target instanceof Index) {
            type = value;
            value = null;
        }
        expect(Lexer.Kind.NEWLINE);
        return new ClassAttr(name, type, value, line);
    }

    private Def def() throws CheckpointFormatException {
        int line = next().line();
        String name = name();
        expect("(");
        List<Param> params = new ArrayList<>();
        while (!accept(")")) {
            String p = name();
            Expr type = accept(":") ? expr() : null;
            Expr dflt = accept("=") ? expr() : null;
            params.add(new Param(p, type, dflt));
            if (!at(")")) {
                expect(",");
            }
        }
        Expr returns = accept("->") ? expr() : null;
        expect(":");
        return new Def(name, params, returns, block(), line);
    }

    private List<Stmt> block() throws CheckpointFormatException {
        expect(Lexer.Kind.NEWLINE);
        expect(Lexer.Kind.INDENT);
        if (++depth > MAX_NESTING) {
            throw error("blocks nest too deeply");
        }
        List<Stmt> body = new ArrayList<>();
        while (!accept(Lexer.Kind.DEDENT)) {
            if (!accept(Lexer.Kind.NEWLINE)) {
                body.add(statement());
            }
        }
        depth--;
        return body;
    }

    private Stmt statement() throws CheckpointFormatException {
        int line = peek().line();
        if (acceptWord("return")) {
            Expr value = at(Lexer.Kind.NEWLINE) ? new Const(null, line) : exprOrTuple();
            expect(Lexer.Kind.NEWLINE);
            return new Return(value, line);
        }
        if (acceptWord("pass")) {
            expect(Lexer.Kind.NEWLINE);
            return new Pass(line);
        }
        if (acceptWord("if")) {
            return ifStatement(line);
        }
        for (String word : List.of("for", "while", "with", "try", "raise", "assert", "del", "global", "lambda",
                "yield", "break", "continue", "elif", "else", "class", "def", "import", "from")) {
            if (atWord(word)) {
                throw error("'" + word + "' statements are not supported");
            }
        }
        Expr first = exprOrTuple();
        if (accept("=")) {
            List<String> targets = new ArrayList<>();
            for (Expr t : first instanceof TupleExpr te ? te.items() : List.of(first)) {
                if (!(t instanceof Name n)) {
                    throw error("only assignments to names are supported");
                }
                targets.add(n.id());
            }
            Expr value = exprOrTuple();
            expect(Lexer.Kind.NEWLINE);
            return new Assign(targets, value, line);
        }
        expect(Lexer.Kind.NEWLINE);
        return new ExprStmt(first, line);
    }

    private Stmt ifStatement(int line) throws CheckpointFormatException {
        Expr cond = expr();
        expect(":");
        List<Stmt> then = block();
        List<Stmt> orElse = List.of();
        if (atWord("elif")) {
            int elifLine = next().line();
            orElse = List.of(ifStatement(elifLine));
        } else if (acceptWord("else")) {
            expect(":");
            orElse = block();
        }
        return new If(cond, then, orElse, line);
    }

    private Expr exprOrTuple() throws CheckpointFormatException {
        int line = peek().line();
        Expr first = expr();
        if (!at(",")) {
            return first;
        }
        List<Expr> items = new ArrayList<>(List.of(first));
        while (accept(",")) {
            if (at(Lexer.Kind.NEWLINE) || at("=")) {
                break;
            }
            items.add(expr());
        }
        return new TupleExpr(items, line);
    }

    private Expr expr() throws CheckpointFormatException {
        if (++depth > MAX_NESTING) {
            throw error("expressions nest too deeply");
        }
        Expr e = or();
        depth--;
        return e;
    }

    private Expr or() throws CheckpointFormatException {
        return leftAssociative("or", this::and);
    }

    private Expr and() throws CheckpointFormatException {
        return leftAssociative("and", this::not);
    }

    private Expr leftAssociative(String word, Level operand) throws CheckpointFormatException {
        Expr e = operand.parse();
        while (atWord(word)) {
            int line = next().line();
            e = new Binary(word, e, operand.parse(), line);
        }
        return e;
    }

    private Expr not() throws CheckpointFormatException {
        if (atWord("not")) {
            int line = next().line();
            return new Unary("not", not(), line);
        }
        return comparison();
    }

    private Expr comparison() throws CheckpointFormatException {
        Expr e = sum();
        while (at(Lexer.Kind.OP) && COMPARISONS.contains(peek().text()) || atWord("is") || atWord("in")) {
            Lexer.Token op = next();
            String text = op.text();
            if (text.equals("is") && acceptWord("not")) {
                text = "is not";
            }
            e = new Binary(text, e, sum(), op.line());
        }
        return e;
    }

    /** One precedence level of left-associative operators. */
    @FunctionalInterface
    private interface Level {
        Expr parse() throws CheckpointFormatException;
    }

    private Expr sum() throws CheckpointFormatException {
        return leftAssociative(SUMS, this::product);
    }

    private Expr product() throws CheckpointFormatException {
        return leftAssociative(PRODUCTS, this::unary);
    }

    private Expr leftAssociative(Set<String> ops, Level operand) throws CheckpointFormatException {
        Expr e = operand.parse();
        while (at(Lexer.Kind.OP) && ops.contains(peek().text())) {
            Lexer.Token op = next();
            e = new Binary(op.text(), e, operand.parse(), op.line());
        }
        return e;
    }

    private Expr unary() throws CheckpointFormatException {
        if (at("-")) {
            int line = next().line();
            Expr operand = unary();
            if (operand instanceof Const c && c.value() instanceof Long l) {
                return new Const(-l, line);
            }
            if (operand instanceof Const c && c.value() instanceof Double d) {
                return new Const(-d, line);
            }
            return new Unary("-", operand, line);
        }
        return power();
    }

    private Expr power() throws CheckpointFormatException {
        Expr e = postfix();
        if (at("**")) {
            int line = next().line();
            return new Binary("**", e, unary(), line);
        }
        return e;
    }

    private Expr postfix() throws CheckpointFormatException {
        Expr e = atom();
        while (true) {
            int line = peek().line();
            if (accept(".")) {
                e = new Attr(e, name(), line);
            } else if (accept("(")) {
                e = callArgs(e, line);
            } else if (accept("[")) {
                Expr index = exprOrTuple();
                expect("]");
                e = new Index(e, index, line);
            } else {
                return e;
            }
        }
    }

    private Expr callArgs(Expr fn, int line) throws CheckpointFormatException {
        List<Expr> args = new ArrayList<>();
        List<Keyword> keywords = new ArrayList<>();
        while (!accept(")")) {
            if (at(Lexer.Kind.NAME) && peekAt(1).text().equals("=") && peekAt(1).kind() == Lexer.Kind.OP) {
                String key = name();
                expect("=");
                keywords.add(new Keyword(key, expr()));
            } else if (!keywords.isEmpty()) {
                throw error("a positional argument after a keyword argument");
            } else {
                args.add(expr());
            }
            if (!at(")")) {
                expect(",");
            }
        }
        return new Call(fn, args, keywords, line);
    }

    private Expr atom() throws CheckpointFormatException {
        Lexer.Token t = next();
        int line = t.line();
        switch (t.kind()) {
            case INT:
                return new Const(Lexer.parseInt(t.text(), this::error), line);
            case FLOAT:
                return new Const(Double.parseDouble(t.text()), line);
            case STRING:
                return new Const(t.text(), line);
            case NAME:
                switch (t.text()) {
                    case "None": return new Const(null, line);
                    case "True": return new Const(Boolean.TRUE, line);
                    case "False": return new Const(Boolean.FALSE, line);
                    default: return new Name(t.text(), line);
                }
            default:
                break;
        }
        if (t.text().equals("(")) {
            if (accept(")")) {
                return new TupleExpr(List.of(), line);
            }
            Expr first = expr();
            if (accept(")")) {
                return first;
            }
            List<Expr> items = new ArrayList<>(List.of(first));
            while (accept(",")) {
                if (at(")")) {
                    break;
                }
                items.add(expr());
            }
            expect(")");
            return new TupleExpr(items, line);
        }
        if (t.text().equals("[")) {
            List<Expr> items = new ArrayList<>();
            while (!accept("]")) {
                items.add(expr());
                if (!at("]")) {
                    expect(",");
                }
            }
            return new ListExpr(items, line);
        }
        pos--;
        throw error("unexpected '" + t.text() + "'");
    }

    private Lexer.Token peek() {
        return tokens.get(pos);
    }

    private Lexer.Token peekAt(int ahead) {
        return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
    }

    private Lexer.Token next() {
        Lexer.Token t = tokens.get(pos);
        if (t.kind() != Lexer.Kind.EOF) {
            pos++;
        }
        return t;
    }

    private boolean at(Lexer.Kind kind) {
        return peek().kind() == kind;
    }

    private boolean at(String op) {
        return peek().kind() == Lexer.Kind.OP && peek().text().equals(op);
    }

    private boolean atWord(String word) {
        return peek().kind() == Lexer.Kind.NAME && peek().text().equals(word);
    }

    private boolean accept(Lexer.Kind kind) {
        if (at(kind)) {
            next();
            return true;
        }
        return false;
    }

    private boolean accept(String op) {
        if (at(op)) {
            next();
            return true;
        }
        return false;
    }

    private boolean acceptWord(String word) {
        if (atWord(word)) {
            next();
            return true;
        }
        return false;
    }

    private void expect(String op) throws CheckpointFormatException {
        if (!accept(op)) {
            throw error("expected '" + op + "', found '" + peek().text() + "'");
        }
    }

    private void expect(Lexer.Kind kind) throws CheckpointFormatException {
        if (!accept(kind)) {
            throw error("expected " + kind.name().toLowerCase() + ", found '" + peek().text() + "'");
        }
    }

    private String name() throws CheckpointFormatException {
        if (!at(Lexer.Kind.NAME)) {
            throw error("expected a name, found '" + peek().text() + "'");
        }
        return next().text();
    }

    private CheckpointFormatException error(String reason) {
        String where = "code/" + path + " line " + peek().line();
        if (currentClass != null) {
            String module = path.substring(0, path.length() - ".py".length()).replace('/', '.');
            return new UnsupportedScriptException(archive, where, module + "." + currentClass, reason);
        }
        return new CheckpointFormatException(archive, where + ": " + reason);
    }
}
