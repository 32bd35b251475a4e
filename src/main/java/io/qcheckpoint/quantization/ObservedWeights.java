package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.nn.quantized.DeferredWeights;

/**
 * A float module's weight and bias, quantized as torch's {@code from_float} does (the qconfig's
 * weight observer sees the weight) only when the quantized module first needs them. In LPOT's load
 * a state dict replaces them before that, so the observer, the quantization and libtorch's prepacking
 * of weights that would be thrown away are skipped.
 *
 * <p>The arrays are views that share the float module's storage rather than copies: convert's float
 * modules are its own copies, closed once swapped, and nothing writes into them.
 */
final class ObservedWeights implements DeferredWeights {
    private final NDManager manager = NDManager.newBaseManager();
    private final NDArray weight;
    private final NDArray bias;
    private final ObserverSpec spec;

    /**
     * Takes views of the float weight and bias.
     *
     * @param weight the float weight
     * @param bias the float bias, or null
     * @param spec the weight observer, or null (or a placeholder) for a placeholder quantization
     */
    ObservedWeights(NDArray weight, NDArray bias, ObserverSpec spec) {
        this.weight = view(weight);
        this.bias = bias == null ? null : view(bias);
        this.spec = spec;
    }

    private NDArray view(NDArray a) {
        NDArray v = a.reshape(a.getShape());
        v.attach(manager);
        return v;
    }

    @Override
    public long[] shape() {
        return weight.getShape().getShape();
    }

    @Override
    public NDArray[] weightBias(NDManager target) {
        NDArray b = null;
        if (bias != null) {
            b = bias.reshape(bias.getShape());
            b.attach(target);
        }
        return new NDArray[] {QuantizationMappings.quantizedWeight(weight, spec, target), b};
    }

    @Override
    public DeferredWeights copy() {
        return new ObservedWeights(weight, bias, spec);
    }

    @Override
    public void close() {
        manager.close();
    }
}
