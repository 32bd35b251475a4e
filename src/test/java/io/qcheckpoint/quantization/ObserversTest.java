package io.qcheckpoint.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.testing.JsonTensors;
import io.qcheckpoint.testing.PythonTorch;
import org.junit.jupiter.api.Test;

/**
 * The min/max observers compute torch's scales (to the bit) and zero points on the same data: 192
 * cases over dtypes, qschemes, reduce_range, channel axes, moving averages and data with one sign
 * or an outlier; the combinations torch refuses are refused.
 */
class ObserversTest {
    @Test
    void scalesAndZeroPointsEqualTorchs() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(PythonTorch.run("observer_oracle.py"));
        assertEquals(192, cases.size());
        for (JsonNode c : cases) {
            String what = c.get("observer") + " " + c.get("dtype") + " " + c.get("qscheme") + " rr=" + c.get("reduce_range")
                    + " axis=" + c.get("axis");
            if (c.has("refused")) {
                assertThrows(IllegalArgumentException.class, () -> create(c), what);
                continue;
            }
            Observer o = create(c);
            for (JsonNode b : c.get("batches")) {
                o.observe(JsonTensors.floats(b.get("bits")), longs(b.get("shape")));
            }
            ObservedQParams q = o.calculateQParams();
            int[] scaleBits = new int[q.scales().length];
            for (int i = 0; i < scaleBits.length; i++) {
                scaleBits[i] = Float.floatToIntBits(q.scales()[i]);
            }
            int[] expectedBits = new int[c.get("scales_bits").size()];
            for (int i = 0; i < expectedBits.length; i++) {
                expectedBits[i] = (int) c.get("scales_bits").get(i).asLong();
            }
            assertArrayEquals(expectedBits, scaleBits, what + ": scales");
            assertArrayEquals(longs(c.get("zero_points")), q.zeroPoints(), what + ": zero points");
        }
    }

    @Test
    void anObserverThatSawNothingGivesTorchsDefault() {
        ObservedQParams q = new MinMaxObserver(DType.QUINT8, QScheme.PER_TENSOR_AFFINE, false).calculateQParams();
        assertEquals(1f, q.scale());
        assertEquals(0, q.zeroPoint());
        assertThrows(UnsupportedOperationException.class, () -> new PlaceholderObserver().calculateQParams());
    }

    private static Observer create(JsonNode c) {
        DType dtype = DType.fromTorchName(c.get("dtype").asText());
        QScheme scheme = QScheme.fromTorchName(c.get("qscheme").asText());
        boolean rr = c.get("reduce_range").asBoolean();
        float avg = c.get("averaging_constant").isNull() ? Float.NaN : (float) c.get("averaging_constant").asDouble();
        int axis = c.get("axis").isNull() ? -1 : c.get("axis").asInt();
        return switch (c.get("observer").asText()) {
            case "MinMaxObserver" -> new MinMaxObserver(dtype, scheme, rr);
            case "MovingAverageMinMaxObserver" -> new MovingAverageMinMaxObserver(dtype, scheme, rr, avg);
            case "PerChannelMinMaxObserver" -> new PerChannelMinMaxObserver(axis, dtype, scheme, rr);
            case "MovingAveragePerChannelMinMaxObserver" -> new MovingAveragePerChannelMinMaxObserver(axis, dtype, scheme, rr, avg);
            default -> throw new IllegalArgumentException(c.get("observer").asText());
        };
    }

    private static long[] longs(JsonNode a) {
        long[] l = new long[a.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = a.get(i).asLong();
        }
        return l;
    }
}
