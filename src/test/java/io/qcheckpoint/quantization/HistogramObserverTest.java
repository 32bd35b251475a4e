package io.qcheckpoint.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.testing.PythonTorch;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks {@link HistogramObserver} against torch 1.13's HistogramObserver, bit for bit. */
class HistogramObserverTest {

    @Test
    void matchesTorchBitForBit() throws Exception {
        JsonNode cases = new ObjectMapper().readTree(PythonTorch.run("histogram_oracle.py"));
        assertTrue(cases.size() > 0, "the oracle printed no cases");
        // Every case is checked before failing, so one run shows all mismatches and their size.
        List<String> mismatches = new ArrayList<>();
        for (JsonNode c : cases) {
            String label = c.get("name").asText() + " " + c.get("dtype").asText() + " "
                    + c.get("qscheme").asText() + " reduce_range=" + c.get("reduce_range").asBoolean();
            HistogramObserver obs = new HistogramObserver(c.get("bins").asInt(), c.get("upsample_rate").asInt(),
                    DType.valueOf(c.get("dtype").asText().toUpperCase()),
                    QScheme.fromTorchName(c.get("qscheme").asText()), c.get("reduce_range").asBoolean());
            boolean torchFailed = !c.get("error").isNull();
            ObservedQParams r;
            try {
                for (JsonNode b : c.get("batches")) {
                    float[] values = new float[b.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Float.intBitsToFloat((int) b.get(i).asLong());
                    }
                    obs.observe(values, new long[] {values.length});
                }
                r = obs.calculateQParams();
            } catch (IllegalArgumentException | IllegalStateException e) {
                if (!torchFailed) {
                    mismatches.add(label + ": Java threw " + e + " but torch did not");
                }
                continue;
            }
            if (torchFailed) {
                mismatches.add(label + ": torch raised " + c.get("error").asText() + " but Java returned " + r);
                continue;
            }
            int expectedBits = (int) c.get("scale_bits").asLong();
            float expected = Float.intBitsToFloat(expectedBits);
            long expectedZp = c.get("zero_point").asLong();
            if (Float.floatToIntBits(r.scale()) != expectedBits || r.zeroPoint() != expectedZp) {
                mismatches.add(label + ": scale " + r.scale() + " vs torch " + expected + " ("
                        + (Float.floatToIntBits(r.scale()) - expectedBits) + " ulp), zero point " + r.zeroPoint()
                        + " vs torch " + expectedZp);
            }
        }
        if (!mismatches.isEmpty()) {
            fail(mismatches.size() + " of " + cases.size() + " cases differ from torch:\n"
                    + String.join("\n", mismatches));
        }
    }

    @Test
    void unobservedGivesTorchDefaults() {
        HistogramObserver obs = new HistogramObserver(DType.QUINT8, QScheme.PER_TENSOR_AFFINE, false);
        obs.observe(new float[0], new long[] {0});
        ObservedQParams q = obs.calculateQParams();
        assertEquals(1.0f, q.scale());
        assertEquals(0, q.zeroPoint());
    }
}
