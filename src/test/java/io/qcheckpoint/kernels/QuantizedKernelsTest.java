package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantized tensors cross between the pt layer and libtorch without changing a value, and the op
 * library quantizes as torch does: both checked against what torch 1.13 computes.
 */
class QuantizedKernelsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"reference/torch-2.11/qtensors.pt", "reference/torch-2.11/qstatic_sd.pt",
        "reference/torch-2.11/qstatic_pertensor_sd.pt", "reference/lpot-v1.5/post_training_static_quant.best_model_weights.pt"})
    void quantizedTensorsKeepTorchsValuesBothWays(String fixture) throws Exception {
        Path file = Path.of("src/test/resources/fixtures", fixture);
        JsonNode torch = JSON.readTree(PythonTorch.run("qtensor_oracle.py", "tensors", file.toString()));
        int checked = 0;
        try (NDManager m = NDManager.newBaseManager()) {
            for (NamedTensor nt : TorchFiles.read(file).tensors()) {
                JsonNode expected = torch.get(nt.key());
                if (expected == null) {
                    continue;
                }
                Tensor t = nt.tensor();
                NDArray q = QuantizedArrays.toNDArray(m, t);
                assertEquals(DataType.UNKNOWN, q.getDataType(), nt.key());
                assertArrayEquals(floats(expected.get("dequantized")), QuantizedKernels.dequantize(q).toFloatArray(),
                        nt.key() + ": dequantized values differ from torch's");
                Tensor back = QuantizedArrays.toTensor(q);
                assertEquals(t.dtype(), back.dtype(), nt.key());
                assertArrayEquals(t.shape(), back.shape(), nt.key());
                assertEquals(t.quantization().scheme(), back.quantization().scheme(), nt.key());
                assertArrayEquals(longs(expected.get("int_repr")), back.toLongArray(), nt.key() + ": int_repr differs");
                checked++;
            }
        }
        assertEquals(torch.size(), checked, "every quantized tensor torch sees was checked");
        assertTrue(checked > 0);
    }

    @Test
    void quantizeMatchesTorch() throws Exception {
        JsonNode cases = JSON.readTree(PythonTorch.run("qtensor_oracle.py", "quantize"));
        // the oracle's cases: 3 dtypes x 3 per-tensor qparams, 2 dtypes per channel; an empty answer must not pass
        assertEquals(11, cases.size(), "the oracle's case count");
        try (NDManager m = NDManager.newBaseManager()) {
            for (JsonNode c : cases) {
                long[] shape = longs(c.get("shape"));
                NDArray x = m.create(floats(c.get("x")), new Shape(shape));
                DType dtype = DType.fromTorchName(c.get("dtype").asText());
                NDArray q = c.get("scheme").asText().equals("per_tensor")
                        ? QuantizedKernels.quantizePerTensor(x, c.get("scale").asDouble(), c.get("zero_point").asLong(), dtype)
                        : QuantizedKernels.quantizePerChannel(x, m.create(doubles(c.get("scales"))),
                                m.create(longs(c.get("zero_points"))), c.get("axis").asInt(), dtype);
                long[] expected = longs(c.get("int_repr"));
                long[] actual = QuantizedArrays.toTensor(q).toLongArray();
                assertEquals(expected.length, actual.length, c.get("shape") + ": element count");
                int off = 0;
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Math.abs(expected[i] - actual[i]) <= 1, c + " element " + i);
                    off += expected[i] == actual[i] ? 0 : 1;
                }
                assertTrue(off * 100 <= expected.length, "more than 1% of elements differ from torch: " + off);
            }
        }
    }

    @Test
    void floatTensorsAreRefusedWhereQuantizedOnesAreNeeded() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1f, 2f});
            assertThrows(EngineException.class, () -> QuantizedKernels.intRepr(x));
            assertThrows(IllegalArgumentException.class, () -> QuantizedKernels.quantizePerTensor(x, 0.1, 0, DType.FLOAT32));
            assertThrows(IllegalArgumentException.class, () -> QuantizedArrays.toTensor(x));
            assertFalse(QuantizedKernels.quantizePerTensor(x, 0.1, 0, DType.QINT8).getDataType().isFloating());
        }
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    private static long[] longs(JsonNode a) {
        long[] l = new long[a.size()];
        for (int i = 0; i < l.length; i++) {
            l[i] = a.get(i).asLong();
        }
        return l;
    }
}
