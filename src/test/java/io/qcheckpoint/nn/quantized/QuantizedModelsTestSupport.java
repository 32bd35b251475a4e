package io.qcheckpoint.nn.quantized;

/** The output comparisons of {@link QuantizedModelsTest}, for tests in other packages. */
public final class QuantizedModelsTestSupport {
    private QuantizedModelsTestSupport() {
    }

    /** At least 99% of elements bit-exact, none more than one output quantization step apart. */
    public static void assertWithinOneStep(float[] expected, float[] actual, double scale, String what) {
        QuantizedModelsTest.assertWithinOneStep(expected, actual, scale, what);
    }

    /** Every element within {@code rel} of the largest magnitude of torch's output. */
    public static void assertClose(float[] expected, float[] actual, double rel, String what) {
        QuantizedModelsTest.assertClose(expected, actual, rel, what);
    }
}
