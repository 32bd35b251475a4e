package io.qcheckpoint.torchscript;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The compiled methods of one scripted module, immutable once imported and shared by its copies.
 */
final class Program {
    private final Map<String, Method> methods = new HashMap<>();

    /** A compiled statement; returns true when it returned from the method (the value is in the frame). */
    @FunctionalInterface
    interface Step {
        boolean run(Frame f);
    }

    /** A compiled expression. */
    @FunctionalInterface
    interface Eval {
        Object eval(Frame f);
    }

    /** The locals of one running method. */
    static final class Frame {
        final ScriptedModule self;
        final Map<String, Object> locals = new HashMap<>();
        Object result;

        Frame(ScriptedModule self) {
            this.self = self;
        }
    }

    /** A compiled method. */
    record Method(String name, List<String> params, Step[] body) {
    }

    void add(Method m) {
        methods.put(m.name(), m);
    }

    boolean has(String name) {
        return methods.containsKey(name);
    }

    Object invoke(String name, ScriptedModule self, List<Object> args) {
        Method m = methods.get(name);
        if (m == null) {
            throw new IllegalArgumentException(self.torchType() + " has no compiled method " + name);
        }
        if (args.size() != m.params().size()) {
            throw new IllegalArgumentException(self.torchType() + "." + name + " takes " + m.params().size()
                    + " inputs, got " + args.size());
        }
        Frame f = new Frame(self);
        for (int i = 0; i < args.size(); i++) {
            f.locals.put(m.params().get(i), args.get(i));
        }
        return run(m.body(), f) ? f.result : null;
    }

    static boolean run(Step[] body, Frame f) {
        for (Step s : body) {
            if (s.run(f)) {
                return true;
            }
        }
        return false;
    }
}
