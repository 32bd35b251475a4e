package io.qcheckpoint.nn.quantized;

/** The output comparisons of {@link QuantizedModelsTest}, for tests in other packages. */
public final class QuantizedModelsTestSupport {
    private QuantizedModelsTestSupport() {
    }

    /** At least 99% of elements bit-exact, none more than one output quantization step apart. */
    public static void assertWithinOneStep(float[] expected, float[] actual, double scale, String what) {
        QuantizedModelsTest.assertWithinOneStep(expected, actual, scale, what);
    }

    /** None more than one step apart, at least 99% on torch's step, whatever the scales' last bits. */
    public static void assertSameSteps(float[] expected, float[] actual, double scale, String what) {
        QuantizedModelsTest.assertSameSteps(expected, actual, scale, what);
    }

    /** Every element within {@code steps} output steps of torch's. */
    public static void assertWithinSteps(float[] expected, float[] actual, double scale, int steps, String what) {
        QuantizedModelsTest.assertWithinSteps(expected, actual, scale, steps, what);
    }

    /** Every element within {@code rel} of the largest magnitude of torch's output. */
    public static void assertClose(float[] expected, float[] actual, double rel, String what) {
        QuantizedModelsTest.assertClose(expected, actual, rel, what);
    }
}
