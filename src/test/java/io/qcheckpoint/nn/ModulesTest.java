package io.qcheckpoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.pt.DType;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the torch fixtures do not pin down: parameter initialization (torch's documented
 * distributions), dropout in training mode, observation in FloatFunctional, and argument checks.
 */
class ModulesTest {
    @Test
    void linearAndConvDrawFromTorchsKaimingUniformBounds() {
        // kaiming_uniform(a=sqrt(5)) and the bias rule both give U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        try (Linear linear = new Linear(400, 300);
                Conv2d conv = new Conv2d(8, 64, 3, ConvOptions.defaults().withGroups(2))) {
            assertUniform(linear.weight(), 1 / Math.sqrt(400));
            assertUniform(linear.bias(), 1 / Math.sqrt(400));
            assertUniform(conv.weight(), 1 / Math.sqrt(4 * 9));
            assertEquals(new Shape(64, 4, 3, 3), conv.weight().getShape());
            assertEquals(DataType.FLOAT32, conv.weight().getDataType());
        }
    }

    private static void assertUniform(NDArray a, double bound) {
        float[] v = a.toFloatArray();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        double sum = 0;
        double sumSq = 0;
        for (float x : v) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
            sumSq += x * x;
        }
        double mean = sum / v.length;
        double variance = sumSq / v.length - mean * mean;
        // the bound is a float32 in torch too
        double b32 = (float) bound;
        assertTrue(min >= -b32 && max <= b32, "within +-" + bound + ": " + min + " .. " + max);
        assertTrue(min < -0.95 * bound && max > 0.95 * bound, "fills +-" + bound + ": " + min + " .. " + max);
        assertEquals(0, mean, 6 * bound / Math.sqrt(3 * v.length), "mean");
        assertEquals(bound * bound / 3, variance, bound * bound / 3 * 0.2, "variance of U(-b, b)");
    }

    @Test
    void batchNormStartsAsTorchsDoes() {
        try (BatchNorm2d bn = new BatchNorm2d(5); BatchNorm1d bare = new BatchNorm1d(3, 1e-5, 0.1, false, false)) {
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, bn.weight().toFloatArray());
            assertArrayEquals(new float[5], bn.bias().toFloatArray());
            assertArrayEquals(new float[5], bn.runningMean().toFloatArray());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1}, bn.runningVar().toFloatArray());
            NDArray count = bn.buffer("num_batches_tracked");
            assertEquals(DataType.INT64, count.getDataType());
            assertEquals(new Shape(), count.getShape());
            assertEquals(0L, count.getLong());
            assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"),
                    List.copyOf(bn.stateDict().keys()));
            assertEquals(2L, ((Number) bn.stateDict().metadata().get("").get("version")).longValue());
            assertNull(bare.weight());
            assertEquals(0, bare.stateDict().size());
        }
    }

    @Test
    void batchNormChecksTheInputsRank() {
        try (BatchNorm2d bn = new BatchNorm2d(3); NDManager nd = NDManager.newBaseManager()) {
            bn.eval();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> bn.forward(nd.ones(new Shape(2, 3, 4))));
            assertTrue(e.getMessage().contains("expected 4D input (got 3D input)"), e.getMessage());
        }
    }

    @Test
    void dropoutZeroesAboutPAndScalesTheRestInTrainingOnly() {
        try (Dropout d = new Dropout(0.3); NDManager nd = NDManager.newBaseManager()) {
            NDArray x = nd.ones(new Shape(200, 500));
            float[] y = d.forward(x).toFloatArray();
            int zeros = 0;
            for (float v : y) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / 0.7f, v, 1e-6f);
                }
            }
            assertEquals(0.3, zeros / (double) y.length, 0.01);
            d.eval();
            assertSame(x, d.forward(x));
        }
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(Double.NaN));
    }

    @Test
    void floatFunctionalObservesWhatTorchObserves() {
        try (FloatFunctional f = new FloatFunctional(); NDManager nd = NDManager.newBaseManager()) {
            assertEquals(List.of("activation_post_process"), List.copyOf(f.namedChildren().keySet()));
            assertSame(Identity.class, f.child("activation_post_process").getClass());
            List<float[]> seen = new ArrayList<>();
            f.replace("activation_post_process", new Module() {
                @Override
                public NDArray forward(NDArray input) {
                    seen.add(input.toFloatArray());
                    return input;
                }
            }).close();
            NDArray a = nd.create(new float[] {-1, 2});
            NDArray b = nd.create(new float[] {0.5f, -3});
            f.add(a, b);
            f.addRelu(a, b);
            f.mul(a, b);
            f.cat(new NDArray[] {a, b}, 0);
            f.addScalar(a, 1);
            f.mulScalar(a, 2);
            assertEquals(4, seen.size(), "add, add_relu, mul and cat are observed; the scalar ops are not");
            assertArrayEquals(new float[] {-0.5f, -1}, seen.get(0));
            assertArrayEquals(new float[] {0, 0}, seen.get(1));
            assertArrayEquals(new float[] {-0.5f, -6}, seen.get(2));
            assertArrayEquals(new float[] {-1, 2, 0.5f, -3}, seen.get(3));
            assertThrows(UnsupportedOperationException.class, () -> f.forward(a));
        }
    }

    @Test
    void argumentsAreCheckedAsTorchChecksThem() {
        ConvOptions o = ConvOptions.defaults();
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(3, 4, 3, o.withGroups(2)));
        assertThrows(IllegalArgumentException.class, () -> o.withStride(0));
        assertThrows(IllegalArgumentException.class, () -> o.withPadding(-1));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, 3, o.withStride(1, 2, 3)));
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(4, 4, new long[] {3, 3, 3}, o));
        assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(PoolOptions.of(2).withPadding(2)));
        assertThrows(IllegalArgumentException.class, () -> new AvgPool2d(PoolOptions.of(3).withStride(1).withPadding(2)));
        assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool2d(0));
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 3));
        assertThrows(IllegalArgumentException.class, () -> new BatchNorm2d(0));
        try (Conv2d c = new Conv2d(4, 6, new long[] {3, 1}, o.withStride(2).withPadding(1, 0).withDilation(1, 2).withGroups(2))) {
            assertArrayEquals(new long[] {3, 1}, c.kernelSize());
            assertArrayEquals(new long[] {2, 2}, c.stride());
            assertArrayEquals(new long[] {1, 0}, c.padding());
            assertArrayEquals(new long[] {1, 2}, c.dilation());
            assertEquals(2, c.groups());
            assertEquals(new Shape(6, 2, 3, 1), c.weight().getShape());
        }
    }

    @Test
    void fusedModulesTakeExactlyTorchsTypes() {
        class MyConv extends Conv2d {
            MyConv() {
                super(2, 2, 1);
            }
        }
        try (MyConv conv = new MyConv(); ReLU relu = new ReLU()) {
            assertThrows(IllegalArgumentException.class, () -> new ConvReLU2d(conv, relu));
        }
        try (ConvReLU2d fused = new ConvReLU2d(new Conv2d(2, 3, 1), new ReLU())) {
            assertEquals(List.of("0.weight", "0.bias"), List.copyOf(fused.stateDict().keys()));
        }
    }

    @Test
    void dilatedMaxPoolNeedsFloatInput() {
        try (MaxPool2d pool = new MaxPool2d(PoolOptions.of(3).withStride(1).withPadding(1).withDilation(2)); NDManager nd = NDManager.newBaseManager()) {
            NDArray q = QuantizedKernels.quantizePerTensor(nd.ones(new Shape(1, 1, 5, 5)), 0.1, 0, DType.QUINT8);
            assertThrows(UnsupportedOperationException.class, () -> pool.forward(q));
        }
    }
}
