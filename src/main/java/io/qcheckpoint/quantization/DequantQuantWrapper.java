package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;

/**
 * Runs one module in float32 inside a quantized model, as LPOT's {@code DequantQuantWrapper}: its
 * input is dequantized, the module runs, and the result is quantized again. Children, in LPOT's
 * order: {@code quant} (QuantStub), {@code dequant} (DeQuantStub), {@code module}; so the state-dict
 * keys are {@code <op>.quant.scale}, {@code <op>.quant.zero_point} and {@code <op>.module.*}.
 * Wrapping a {@link Functional} wraps its operations the same way.
 */
public class DequantQuantWrapper extends Module implements Functional {
    /**
     * Wraps {@code module}, which the wrapper now owns; the wrapper takes its training mode.
     *
     * @param module the module that stays float32
     */
    public DequantQuantWrapper(Module module) {
        register("quant", new QuantStub());
        register("dequant", new DeQuantStub());
        register("module", module);
        train(module.isTraining());
    }

    @Override
    public NDArray forward(NDArray input) {
        return call("quant", call("module", call("dequant", input)));
    }

    @Override
    public NDArray add(NDArray a, NDArray b) {
        return call("quant", functional("module").add(call("dequant", a), call("dequant", b)));
    }

    @Override
    public NDArray addRelu(NDArray a, NDArray b) {
        return call("quant", functional("module").addRelu(call("dequant", a), call("dequant", b)));
    }

    @Override
    public NDArray mul(NDArray a, NDArray b) {
        return call("quant", functional("module").mul(call("dequant", a), call("dequant", b)));
    }

    @Override
    public NDArray cat(NDArray[] xs, int dim) {
        NDArray[] floats = new NDArray[xs.length];
        for (int i = 0; i < xs.length; i++) {
            floats[i] = call("dequant", xs[i]);
        }
        return call("quant", functional("module").cat(floats, dim));
    }

    @Override
    public NDArray addScalar(NDArray a, double b) {
        return call("quant", functional("module").addScalar(call("dequant", a), b));
    }

    @Override
    public NDArray mulScalar(NDArray a, double b) {
        return call("quant", functional("module").mulScalar(call("dequant", a), b));
    }
}
