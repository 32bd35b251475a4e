package io.qcheckpoint.nn.quantized;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Dynamic Linear with float16 weights: torch 2.11's state dict loads, runs fbgemm's fp16 kernel with
 * the outputs torch's arithmetic gives, and saves back to the same entries.
 */
class DynamicFp16Test {
    private static final Path FILE = Path.of("src/test/resources/fixtures/reference/torch-2.11/qdyn_fp16_sd.pt");

    @TempDir
    Path dir;

    @Test
    void torchsFp16StateDictRunsAndSavesBack() throws Exception {
        JsonNode torch = new ObjectMapper().readTree(PythonTorch.run("dynamic_fp16_oracle.py", FILE.toString(), "0", "2"));
        StateDict original = TorchFiles.readStateDict(FILE);
        try (Module f = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
                Module q = Quantizer.everyModule(QuantizationMappings.dynamicMappings(DType.FLOAT16), f.eval()).convert(f.eval());
                NDManager m = NDManager.newBaseManager()) {
            q.loadStateDict(original, true);
            float[] x = new float[8];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) torch.get("input").get(i).asDouble();
            }
            float[] expected = new float[torch.get("output").size()];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = (float) torch.get("output").get(i).asDouble();
            }
            QuantizedModelsTest.assertClose(expected, q.forward(m.create(x, new Shape(2, 4))).toFloatArray(), 1e-5, "fp16");

            StateDict saved = q.stateDict();
            assertEquals(new ArrayList<>(original.keys()), new ArrayList<>(saved.keys()));
            assertEquals(original.metadata(), saved.metadata());
            Path copy = dir.resolve("copy.pt");
            TorchFiles.write(copy, saved.toOrderedDict());
            StateDict reread = TorchFiles.readStateDict(copy);
            for (String key : original.keys()) {
                assertEquals(describe(original.get(key)), describe(reread.get(key)), key);
            }
        }
    }

    /** A value's type, dtype, shape and every element, for comparing entries. */
    private static String describe(Object v) {
        if (v instanceof Tensor t) {
            return t.dtype() + Arrays.toString(t.shape()) + (t.dtype() == DType.FLOAT32 ? Arrays.toString(t.toDoubleArray()) : Arrays.toString(t.toLongArray())) + t.isParameter();
        }
        if (v instanceof Tuple t) {
            StringBuilder b = new StringBuilder("(");
            t.items().forEach(i -> b.append(describe(i)).append(", "));
            return b.append(")").toString();
        }
        return String.valueOf(v);
    }
}
