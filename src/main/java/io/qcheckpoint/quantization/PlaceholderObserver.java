package io.qcheckpoint.quantization;

/**
 * torch's {@code PlaceholderObserver}: records nothing; it marks a dtype for dynamic and float16
 * quantization, where qparams are chosen per call or not needed.
 */
public final class PlaceholderObserver implements Observer {
    @Override
    public void observe(float[] values, long[] shape) {
        // nothing to record: the kernels choose the qparams themselves
    }

    /** Always throws: a placeholder computes no qparams, as in torch. */
    @Override
    public ObservedQParams calculateQParams() {
        throw new UnsupportedOperationException("a PlaceholderObserver computes no quantization parameters");
    }
}
