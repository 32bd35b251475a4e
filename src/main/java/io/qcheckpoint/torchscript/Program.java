package io.qcheckpoint.torchscript;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Arrays;
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
        /** The manager of the method's first tensor argument, which owns what its operations create. */
        NDManager manager;
        Object result;

        Frame(ScriptedModule self) {
            this.self = self;
        }

        /**
         * Makes the frame's manager own a tensor an operation created: an operation on a module's own
         * tensor (a slice of a buffer) would otherwise leave its result with the module, one more per call.
         */
        Object adopt(Object result, Object[] args) {
            if (manager != null && result instanceof NDArray a && a.getManager() != manager
                    && Arrays.stream(args).noneMatch(x -> x == a)) {
                a.attach(manager);
            } else if (result instanceof List<?> l) {
                l.forEach(x -> adopt(x, args));
            }
            return result;
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
            // the caller's ForwardException names the module
            throw new IllegalArgumentException(name + " takes " + m.params().size() + " inputs, got " + args.size());
        }
        Frame f = new Frame(self);
        f.manager = args.stream().filter(NDArray.class::isInstance).map(a -> ((NDArray) a).getManager())
                .findFirst().orElse(null);
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
