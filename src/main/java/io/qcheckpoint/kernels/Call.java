package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import java.util.ArrayList;
import java.util.List;

/**
 * One call into the op library: boxes the arguments as IValues, runs the method, and frees every
 * IValue it created (borrowed ones, such as packed weights, stay with their owner).
 */
final class Call implements AutoCloseable {
    private final List<IValue> args = new ArrayList<>(6);
    private final List<IValue> owned = new ArrayList<>(6);

    Call tensor(NDArray x) {
        return own(IValue.from(pt(x)));
    }

    Call tensors(NDArray... xs) {
        PtNDArray[] pts = new PtNDArray[xs.length];
        for (int i = 0; i < xs.length; i++) {
            pts[i] = pt(xs[i]);
        }
        return own(IValue.listFrom(pts));
    }

    Call f64(double v) {
        return own(IValue.from(v));
    }

    Call i64(long v) {
        return own(IValue.from(v));
    }

    Call bool(boolean v) {
        return own(IValue.from(v));
    }

    Call longs(long... v) {
        return own(IValue.listFrom(v));
    }

    /** Adds an IValue that the caller keeps owning. */
    Call borrowed(IValue v) {
        args.add(v);
        return this;
    }

    /** Runs {@code method}; the caller closes the result. */
    IValue run(String method) {
        return OpLibrary.get().call(method, args.toArray(IValue[]::new));
    }

    /** Runs {@code method} and returns its tensor result, owned by {@code manager}. */
    NDArray tensor(String method, NDManager manager) {
        try (IValue result = run(method)) {
            return result.toTensor(ptManager(manager));
        }
    }

    /** Runs a method of one tensor argument that returns a tensor, owned by the argument's manager. */
    static NDArray unary(String method, NDArray x) {
        try (Call c = new Call().tensor(x)) {
            return c.tensor(method, x.getManager());
        }
    }

    @Override
    public void close() {
        owned.forEach(IValue::close);
        owned.clear();
    }

    private Call own(IValue v) {
        owned.add(v);
        args.add(v);
        return this;
    }

    static PtNDArray pt(NDArray x) {
        if (x instanceof PtNDArray p) {
            return p;
        }
        throw new IllegalArgumentException("the int8 kernels need PyTorch-engine NDArrays, not " + x.getClass().getName());
    }

    static PtNDManager ptManager(NDManager m) {
        if (m instanceof PtNDManager p) {
            return p;
        }
        throw new IllegalArgumentException("the int8 kernels need a PyTorch-engine NDManager, not " + m.getClass().getName());
    }
}
