package io.qcheckpoint.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The op table against torch 1.13 (aten_ops_oracle.py): the operations whose semantics are easy to get
 * wrong (negative and clamped slice bounds, steps, negative dimensions, dtype codes, alpha, gelu's
 * approximation), each called as compiled code calls it, with the table's defaults for the arguments the
 * call leaves out. Indexing and dtype results are compared bit for bit; computed floats within 1e-6 of the
 * largest element (one libtorch's kernels against another's last bits).
 */
class AtenOpsTest {
    @TempDir
    Path dir;

    @Test
    void theTableComputesWhatTorchComputes() throws Exception {
        Path file = dir.resolve("ops.pt");
        PythonTorch.run("aten_ops_oracle.py", file.toString());
        try (NDManager m = NDManager.newBaseManager()) {
            for (Object c : (List<?>) TorchFiles.read(file).root()) {
                List<?> one = (List<?>) c;
                String name = (String) one.get(0);
                List<?> args = (List<?>) one.get(1);
                Tensor expected = (Tensor) one.get(2);
                AtenOps.Op op = AtenOps.lookup(name);
                assertNotNull(op, name);
                NDArray actual = (NDArray) op.fn().apply(withDefaults(op, args, m));
                String what = name + " " + describe(args);
                assertArrayEquals(expected.shape(), actual.getShape().getShape(), what + ": shape");
                if (actual.getDataType() == DataType.INT64) {
                    assertArrayEquals(expected.toLongArray(), actual.toLongArray(), what);
                } else {
                    assertEquals(DataType.FLOAT32, actual.getDataType(), what + ": dtype");
                    QuantizedModelsTestSupport.assertClose(expected.toFloatArray(), actual.toFloatArray(), 1e-6, what);
                }
            }
        }
    }

    private static Object[] withDefaults(AtenOps.Op op, List<?> args, NDManager m) {
        Object[] out = new Object[op.params().size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = i < args.size() ? value(args.get(i), m) : op.defaults().get(i - op.required());
        }
        return out;
    }

    private static Object value(Object arg, NDManager m) {
        if (arg instanceof Tensor t) {
            return TensorArrays.toNDArray(m, t);
        }
        if (arg instanceof List<?> l) {
            return List.copyOf(l);
        }
        return arg;
    }

    private static String describe(List<?> args) {
        List<String> out = new ArrayList<>();
        for (Object a : args) {
            out.add(a instanceof Tensor t ? "tensor" + Arrays.toString(t.shape()) : String.valueOf(a));
        }
        return out.toString();
    }
}
