package io.qcheckpoint.nn.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import io.qcheckpoint.quantization.Calibration;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.quantization.ObserverSpec;
import io.qcheckpoint.quantization.QConfig;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import io.qcheckpoint.testing.JsonTensors;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Post-training static quantization in Java (prepare, calibrate, convert) on torch's calibration
 * data: the input's qparams are torch's to the bit; activation qparams and per-channel weight scales
 * agree within the float differences of the two libtorch versions and the two BN folders (relative
 * 1e-5, zero points within one); the quantized model's outputs are within one step of torch's.
 * ObserversTest shows the formulas themselves are torch's to the bit on identical data.
 */
class CalibrationTest {
    private static final QConfig MIN_MAX = new QConfig(
            new ObserverSpec(ObserverSpec.Kind.MIN_MAX, DType.QUINT8, QScheme.PER_TENSOR_AFFINE, true),
            new ObserverSpec(ObserverSpec.Kind.PER_CHANNEL_MIN_MAX, DType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC, false));

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "ops"})
    void calibratedQParamsAndOutputsEqualTorchs(String name) throws Exception {
        JsonNode torch = new ObjectMapper().readTree(PythonTorch.run("calibration_oracle.py", name));
        try (Module fp32 = fused(name); NDManager m = NDManager.newBaseManager()) {
            Map<String, QConfig> qconfigs = new LinkedHashMap<>();
            fp32.namedModules().keySet().forEach(p -> {
                if (!p.isEmpty()) {
                    qconfigs.put(p, MIN_MAX);
                }
            });
            QuantizationMappings mappings = QuantizationMappings.staticMappings();
            Quantizer quantizer = new Quantizer(mappings, qconfigs);
            Module converted;
            try (Calibration c = quantizer.prepare(fp32)) {
                for (JsonNode b : torch.get("batches")) {
                    c.observe(JsonTensors.array(m, b));
                }
                converted = quantizer.convert(fp32, c);
            }
            try (Module q = converted) {
                reuseFreedJavaMemory();
                StateDict sd = q.stateDict();
                torch.get("qparams").properties().forEach(e -> {
                    Tensor t = sd.tensor(e.getKey());
                    String key = e.getKey();
                    if (key.startsWith("quant.")) {
                        // observes the input itself: the same data, so torch's bits
                        long actual = key.endsWith(".scale") ? Float.floatToIntBits(t.toFloatArray()[0]) : t.toLongArray()[0];
                        assertEquals(e.getValue().asLong(), actual, name + ": " + key);
                    } else if (key.endsWith(".scale")) {
                        // observes float activations, which libtorch 2.7 and torch 1.13 compute a few ulps apart
                        // (QuantizedModelsTest: float models agree within 1e-5); ObserversTest has the exact formulas
                        float expected = Float.intBitsToFloat((int) e.getValue().asLong());
                        assertEquals(expected, t.toFloatArray()[0], expected * 1e-5, name + ": " + key);
                    } else {
                        assertEquals(e.getValue().asLong(), t.toLongArray()[0], 1, name + ": " + key);
                    }
                });
                torch.get("weight_scales").properties().forEach(e -> {
                    Object v = sd.get(e.getKey());
                    Tensor w = v instanceof Tuple tuple ? (Tensor) tuple.get(0) : (Tensor) v;
                    double[] scales = ((Quantization.PerChannel) w.quantization()).scales().toDoubleArray();
                    assertEquals(e.getValue().size(), scales.length, name + ": " + e.getKey());
                    for (int i = 0; i < scales.length; i++) {
                        // folded batch norms differ in the last float32 bits between the two fusers
                        double expected = Double.parseDouble(e.getValue().get(i).asText());
                        assertEquals(expected, scales[i], expected * 1e-5, name + ": " + e.getKey() + "[" + i + "]");
                    }
                });
                float[] expected = JsonTensors.floats(torch.get("output_bits"));
                float[] actual = q.forward(JsonTensors.array(m, torch.get("input"))).toFloatArray();
                // qparams a few ulps apart move outputs by at most one step; bit-exactness is for loaded checkpoints
                double step = torch.get("output_scale").asDouble();
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], step * 1.0001, name + ": output " + i);
                }
            }
        }
    }

    /**
     * Frees unreachable direct buffers and writes over memory they held: a libtorch object still
     * pointing into Java memory (a quantizer's scales) then reads NaNs, not luckily intact values.
     */
    private static void reuseFreedJavaMemory() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 64; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(64 << i % 8);
                while (b.remaining() >= Long.BYTES) {
                    b.putLong(-1L);
                }
            }
        }
    }

    private static Module fused(String name) throws Exception {
        Module model = FixtureModels.create(name);
        model.loadStateDict(TorchFiles.readStateDict(QuantizedModelsTest.FIXTURES.resolve(name + ".float_sd.pt")), true);
        model.eval();
        JsonNode groups = QuantizedModelsTest.info(name).get("fused");
        List<List<String>> g = new ArrayList<>();
        groups.forEach(x -> {
            List<String> l = new ArrayList<>();
            x.forEach(n -> l.add(n.asText()));
            g.add(l);
        });
        try (Module unfused = model) {
            return FuseModules.fuseModules(unfused, g);
        }
    }
}
