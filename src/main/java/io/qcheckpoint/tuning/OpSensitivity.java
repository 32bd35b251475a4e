package io.qcheckpoint.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.ForwardHooks;
import io.qcheckpoint.nn.Module;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How much quantizing each op disturbs it, as LPOT's basic strategy measures it before falling
 * back: the op's output in the fp32 model and in the int8 model on the same input, both rescaled
 * to [0, 1], and their mean squared difference ({@code mse_metric_gap}).
 */
final class OpSensitivity {
    private OpSensitivity() {
    }

    /**
     * Orders {@code ops} most sensitive first (ties in the given order).
     *
     * @param fp32 the float model
     * @param int8 the quantized model
     * @param ops op paths present in both
     * @param input one input batch
     * @return the ops, most sensitive first
     */
    static List<String> order(Module fp32, Module int8, List<String> ops, NDArray input) {
        Map<String, float[]> expected = outputs(fp32, ops, input);
        Map<String, float[]> actual = outputs(int8, ops, input);
        Map<String, Double> gap = new HashMap<>();
        for (String op : ops) {
            gap.put(op, mseGap(expected.get(op), actual.get(op)));
        }
        List<String> ordered = new ArrayList<>(ops);
        ordered.sort(Comparator.comparingDouble((String op) -> gap.get(op)).reversed());
        return ordered;
    }

    /**
     * Runs a copy of {@code model} with every op's output recorded, as float32: hooks on the model itself
     * would disturb a caller running it meanwhile.
     */
    private static Map<String, float[]> outputs(Module model, List<String> ops, NDArray input) {
        Map<String, float[]> recorded = new HashMap<>();
        try (Module copy = model.copy()) {
            ForwardHooks.run(copy, ops, input, (op, in, out) -> recorded.put(op,
                    (out.getDataType() == DataType.UNKNOWN ? QuantizedKernels.dequantize(out) : out).toFloatArray()));
        }
        return recorded;
    }

    /** LPOT's {@code mse_metric_gap}: both tensors min-max normalised, then the mean squared difference. */
    static double mseGap(float[] fp32, float[] dequantized) {
        if (fp32 == null || dequantized == null || fp32.length != dequantized.length || fp32.length == 0) {
            return 0;
        }
        float[] a = normalized(fp32);
        float[] b = normalized(dequantized);
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            sum += d * d;
        }
        return sum / a.length;
    }

    private static float[] normalized(float[] x) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float range = max - min;
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = range > 0 ? (x[i] - min) / range : 0;
        }
        return out;
    }
}
