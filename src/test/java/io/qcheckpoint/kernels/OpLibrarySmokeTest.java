package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.pt.DType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class OpLibrarySmokeTest {
    @Test
    void quantizesAndRunsLinear() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {0f, 0.25f, 0.5f, 0.75f, 1f, 1.25f, 1.5f, 1.75f}, new Shape(2, 4));
            NDArray q = QuantizedKernels.quantizePerTensor(x, 0.01, 10, DType.QUINT8);
            System.out.println(q.getDataType() + " " + Arrays.toString(QuantizedKernels.intRepr(q).toUint8Array()));
            System.out.println(QuantizedKernels.qscheme(q) + " " + QuantizedKernels.qScale(q) + " " + QuantizedKernels.qZeroPoint(q));
            NDArray wf = m.create(new float[] {0.1f, -0.2f, 0.3f, -0.4f, 0.05f, 0.15f, -0.25f, 0.35f, -0.01f, 0.02f, -0.03f, 0.04f}, new Shape(3, 4));
            NDArray wq = QuantizedKernels.quantizePerTensor(wf, 0.01, 0, DType.QINT8);
            NDArray b = m.create(new float[] {0.1f, -0.2f, 0.3f});
            try (PackedParams p = PackedParams.linear(PackedParams.Kind.LINEAR, wq, b); QParams out = new QParams(0.02, 64)) {
                NDArray y = QuantizedKernels.linear(q, p, out, false);
                System.out.println(Arrays.toString(QuantizedKernels.dequantize(y).toFloatArray()));
                NDArray yd = QuantizedKernels.linearDynamic(x, p, true);
                System.out.println(Arrays.toString(yd.toFloatArray()));
                NDArray[] wb = p.unpack(m);
                System.out.println(Arrays.toString(QuantizedKernels.intRepr(wb[0]).toByteArray()) + " " + Arrays.toString(wb[1].toFloatArray()));
                System.out.println(y.getDataType() + " relu " + Arrays.toString(QuantizedKernels.dequantize(y.getNDArrayInternal().relu()).toFloatArray()));
            }
            NDArray cw = QuantizedKernels.quantizePerChannel(m.randomNormal(new Shape(2, 3, 3)), m.create(new double[] {0.01, 0.02}), m.create(new long[] {0, 0}), 0, DType.QINT8);
            try (PackedParams p = PackedParams.conv(PackedParams.Kind.CONV1D, cw, null, new long[] {1}, new long[] {0}, new long[] {1}, 1)) {
                NDArray[] wb = p.unpack(m);
                System.out.println(wb[0].getShape() + " " + wb[1] + " " + QuantizedKernels.qscheme(wb[0]));
                assertEquals(new Shape(2, 3, 3), wb[0].getShape());
            }
        }
    }
}
