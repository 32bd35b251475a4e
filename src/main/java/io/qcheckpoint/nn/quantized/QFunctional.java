package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.nn.Identity;

/**
 * Quantized tensor operations with one output scale and zero point, as torch's
 * {@code nn.quantized.QFunctional} (a converted {@code FloatFunctional}). Like torch's it has a
 * child {@code activation_post_process} (Identity). {@link #addScalar} and {@link #mulScalar}
 * derive their output qparams from the input, as torch's kernels do.
 */
public class QFunctional extends QuantizedModule implements Functional {
    /**
     * Creates the module.
     *
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public QFunctional(double scale, long zeroPoint) {
        super(scale, zeroPoint);
        register("activation_post_process", new Identity());
    }

    /** Not callable, as in torch: use the operations. */
    @Override
    public NDArray forward(NDArray input) {
        throw new UnsupportedOperationException("QFunctional is not callable; use add, mul, cat ...");
    }

    @Override
    public NDArray add(NDArray a, NDArray b) {
        return QuantizedKernels.binary("add", a, b, outputQParams());
    }

    @Override
    public NDArray addRelu(NDArray a, NDArray b) {
        return QuantizedKernels.binary("add_relu", a, b, outputQParams());
    }

    @Override
    public NDArray mul(NDArray a, NDArray b) {
        return QuantizedKernels.binary("mul", a, b, outputQParams());
    }

    @Override
    public NDArray cat(NDArray[] xs, int dim) {
        return QuantizedKernels.cat(xs, dim, outputQParams());
    }

    @Override
    public NDArray addScalar(NDArray a, double b) {
        return QuantizedKernels.scalar("add_scalar", a, b);
    }

    @Override
    public NDArray mulScalar(NDArray a, double b) {
        return QuantizedKernels.scalar("mul_scalar", a, b);
    }
}
