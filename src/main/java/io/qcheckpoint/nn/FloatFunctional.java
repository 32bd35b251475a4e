package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Float tensor operations a model routes through a module, as torch's
 * {@code nn.quantized.FloatFunctional}: each result (but the scalar ones', as in torch) passes
 * through the child {@code activation_post_process}, an {@link Identity} until prepare puts an
 * observer there; convert swaps the whole module for a {@code QFunctional}.
 */
public class FloatFunctional extends Module implements Functional {
    /** Creates the module with its {@code activation_post_process} child, as torch's constructor does. */
    public FloatFunctional() {
        register("activation_post_process", new Identity());
    }

    /**
     * Not callable, as in torch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public NDArray forward(NDArray input) {
        throw new UnsupportedOperationException("FloatFunctional is not intended to use the 'forward'; "
                + "use add, addRelu, mul, cat, addScalar or mulScalar");
    }

    /** {@inheritDoc} The result is observed. */
    @Override
    public NDArray add(NDArray a, NDArray b) {
        return observed(a.add(b));
    }

    /** {@inheritDoc} The result is observed. */
    @Override
    public NDArray addRelu(NDArray a, NDArray b) {
        try (NDArray sum = a.add(b)) {
            return observed(sum.getNDArrayInternal().relu());
        }
    }

    /** {@inheritDoc} The result is observed. */
    @Override
    public NDArray mul(NDArray a, NDArray b) {
        return observed(a.mul(b));
    }

    /** {@inheritDoc} The result is observed. */
    @Override
    public NDArray cat(NDArray[] xs, int dim) {
        if (xs.length == 0) {
            throw new IllegalArgumentException("cat needs at least one tensor");
        }
        NDList list = new NDList(xs);
        return observed(xs.length == 1 ? xs[0].duplicate() : NDArrays.concat(list, dim));
    }

    /** {@inheritDoc} Not observed, as in torch: the quantized op derives its qparams from the input. */
    @Override
    public NDArray addScalar(NDArray a, double b) {
        return a.add(b);
    }

    /** {@inheritDoc} Not observed, as in torch: the quantized op derives its qparams from the input. */
    @Override
    public NDArray mulScalar(NDArray a, double b) {
        return a.mul(b);
    }

    private NDArray observed(NDArray r) {
        return call("activation_post_process", r);
    }
}
