package io.qcheckpoint.cli.bench;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Storage;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.Tuple;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds the state dicts the I/O benchmark writes and reads, in memory: a float32 one shaped like a
 * ResNet-18 with an MLP head ({@code conv} weights, BatchNorm parameters and buffers with their 0-d
 * int64 {@code num_batches_tracked}, linear weights and biases), and an int8 one shaped like torch's
 * eager-mode converted version of it (per-channel qint8 weights with float64 scales and int64 zero
 * points along axis 0, float32 bias Parameters, 0-d {@code scale} / {@code zero_point} entries,
 * {@code _packed_params._packed_params} tuples for linears). Both carry {@code _metadata} versions.
 *
 * <p>The network's width and the head's hidden size are chosen so that the tensor bytes come close
 * to the requested size. Contents are seeded: the same size always gives the same bytes.
 */
public final class BenchModels {
    private static final int CLASSES = 1000;
    private static final int[] STAGE_WIDTHS = {1, 2, 4, 8};
    private static final int BLOCKS_PER_STAGE = 2;
    /** The share of the requested bytes the convolutional part may take; the MLP head takes the rest. */
    private static final double CONV_SHARE = 0.75;
    private static final long FLOAT_SEED = 0x5EED_F32L;
    private static final long INT8_SEED = 0x5EED_0008L;

    private BenchModels() {
    }

    /**
     * Builds the float32 model.
     *
     * @param targetBytes roughly how many tensor bytes it should hold
     * @return the state dict
     */
    public static StateDict float32(long targetBytes) {
        return build(targetBytes, false);
    }

    /**
     * Builds the int8 quantized model.
     *
     * @param targetBytes roughly how many tensor bytes it should hold
     * @return the state dict
     */
    public static StateDict int8(long targetBytes) {
        return build(targetBytes, true);
    }

    private static StateDict build(long targetBytes, boolean int8) {
        int base = baseWidth(targetBytes, int8);
        int hidden = hiddenSize(targetBytes, base, int8);
        Builder b = new Builder(int8, false);
        network(b, base, hidden);
        return b.sd;
    }

    /** The widest base channel count (a multiple of 8) whose convolutions fit the conv share. */
    private static int baseWidth(long targetBytes, boolean int8) {
        int base = 8;
        while (bytes(base + 8, 1, int8) <= CONV_SHARE * targetBytes) {
            base += 8;
        }
        return base;
    }

    /** The head's hidden size that fills the rest; the byte count is affine in it. */
    private static int hiddenSize(long targetBytes, int base, boolean int8) {
        long perHidden = bytes(base, 2, int8) - bytes(base, 1, int8);
        long fixed = bytes(base, 1, int8) - perHidden;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (targetBytes - fixed) / perHidden));
    }

    private static long bytes(int base, int hidden, boolean int8) {
        Builder counter = new Builder(int8, true);
        network(counter, base, hidden);
        return counter.bytes;
    }

    /** Walks the architecture: a ResNet-18 body of width {@code base}, then a two-layer MLP head. */
    private static void network(Builder b, int base, int hidden) {
        b.module("");
        b.quantStub();
        b.convBn("conv1", "bn1", base, 3, 7);
        b.module("relu");
        b.module("maxpool");
        int in = base;
        for (int s = 0; s < STAGE_WIDTHS.length; s++) {
            int width = base * STAGE_WIDTHS[s];
            b.module("layer" + (s + 1));
            for (int blk = 0; blk < BLOCKS_PER_STAGE; blk++) {
                basicBlock(b, "layer" + (s + 1) + "." + blk, in, width);
                in = width;
            }
        }
        b.module("avgpool");
        b.linear("fc1", hidden, in);
        b.linear("fc2", CLASSES, hidden);
        b.dequantStub();
    }

    private static void basicBlock(Builder b, String p, int in, int width) {
        b.module(p);
        b.convBn(p + ".conv1", p + ".bn1", width, in, 3);
        b.module(p + ".relu");
        b.convBn(p + ".conv2", p + ".bn2", width, width, 3);
        if (in != width) {
            b.module(p + ".downsample");
            b.convBn(p + ".downsample.0", p + ".downsample.1", width, in, 1);
        }
        b.add(p + ".add_relu");
    }

    /** Creates the tensors of one architecture as float32 or as converted int8, or only counts their bytes. */
    private static final class Builder {
        final StateDict sd = new StateDict();
        final boolean int8;
        final boolean dryRun;
        final SplittableRandom rnd;
        long bytes;

        Builder(boolean int8, boolean dryRun) {
            this.int8 = int8;
            this.dryRun = dryRun;
            this.rnd = new SplittableRandom(int8 ? INT8_SEED : FLOAT_SEED);
        }

        void module(String prefix) {
            module(prefix, 1);
        }

        void module(String prefix, long version) {
            if (!dryRun) {
                sd.putMetadata(prefix, Map.of("version", version));
            }
        }

        void put(String key, Object value) {
            if (!dryRun) {
                sd.put(key, value);
            }
        }

        /** A converted QuantStub: 1-element scale and zero point. */
        void quantStub() {
            if (int8) {
                module("quant");
                put("quant.scale", floats(0.02f, 0.01f, 1));
                put("quant.zero_point", longs(64, 1));
            }
        }

        void dequantStub() {
            if (int8) {
                module("dequant");
            }
        }

        /** A convolution followed by BatchNorm; converted, the two are fused into one quantized conv. */
        void convBn(String conv, String bn, int out, int in, int k) {
            module(conv);
            if (int8) {
                put(conv + ".weight", qint8PerChannel(out, in, k, k));
                put(conv + ".bias", parameter(floats(0.1f, 0f, out)));
                outputQParams(conv);
                return;
            }
            put(conv + ".weight", floats((float) Math.sqrt(2.0 / (in * k * k)), 0f, out, in, k, k));
            module(bn, 2);
            put(bn + ".weight", floats(0.1f, 1f, out));
            put(bn + ".bias", floats(0.1f, 0f, out));
            put(bn + ".running_mean", floats(0.1f, 0f, out));
            put(bn + ".running_var", floats(0.2f, 1f, out));
            put(bn + ".num_batches_tracked", longs(1000 + rnd.nextInt(1000)));
        }

        /** A residual add: a converted FloatFunctional (QFunctional) when int8, nothing when float. */
        void add(String name) {
            if (int8) {
                module(name);
                outputQParams(name);
            }
        }

        void linear(String name, int out, int in) {
            if (!int8) {
                module(name);
                put(name + ".weight", floats((float) Math.sqrt(1.0 / in), 0f, out, in));
                put(name + ".bias", floats(0.01f, 0f, out));
                return;
            }
            module(name, 3);
            outputQParams(name);
            module(name + "._packed_params", 3);
            put(name + "._packed_params.dtype", DType.QINT8);
            Tensor w = qint8PerChannel(out, in);
            Tensor bias = parameter(floats(0.01f, 0f, out));
            put(name + "._packed_params._packed_params", dryRun ? null : Tuple.of(w, bias));
        }

        private void outputQParams(String prefix) {
            put(prefix + ".scale", floats(0.02f, 0.05f));
            put(prefix + ".zero_point", longs(rnd.nextInt(128)));
        }

        private Tensor parameter(Tensor t) {
            return t == null ? null : t.asParameter(true);
        }

        /** A float32 tensor of uniform values in {@code mean +- halfWidth}; 0-d when no sizes are given. */
        private Tensor floats(float halfWidth, float mean, long... shape) {
            long n = count(4, shape);
            if (dryRun) {
                return null;
            }
            ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            FloatBuffer f = b.asFloatBuffer();
            float[] chunk = new float[(int) Math.min(n, 1 << 16)];
            while (f.hasRemaining()) {
                int len = Math.min(chunk.length, f.remaining());
                for (int i = 0; i < len; i++) {
                    chunk[i] = mean + halfWidth * (rnd.nextInt() * 0x1p-31f);
                }
                f.put(chunk, 0, len);
            }
            return Tensor.contiguous(Storage.wrap(DType.FLOAT32, b), shape);
        }

        /** An int64 tensor of one value repeated; 0-d when no sizes are given. */
        private Tensor longs(long value, long... shape) {
            long n = count(8, shape);
            if (dryRun) {
                return null;
            }
            long[] values = new long[(int) n];
            Arrays.fill(values, value);
            return Tensor.fromLongs(values, shape);
        }

        /** A qint8 weight quantized per channel along axis 0 (float64 scales, int64 zero points 0). */
        private Tensor qint8PerChannel(long... shape) {
            int channels = (int) shape[0];
            long n = count(1, shape);
            count(8, channels);
            count(8, channels);
            if (dryRun) {
                return null;
            }
            byte[] q = new byte[Math.toIntExact(n)];
            rnd.nextBytes(q);
            double[] scales = new double[channels];
            for (int c = 0; c < channels; c++) {
                scales[c] = 0.001 + 0.02 * rnd.nextDouble();
            }
            Storage s = Storage.wrap(DType.QINT8, ByteBuffer.wrap(q));
            return Tensor.view(s, DType.QINT8, 0, shape, contiguousStrides(shape))
                    .withQuantization(new Quantization.PerChannel(Tensor.fromDoubles(scales, channels),
                            Tensor.fromLongs(new long[channels], channels), 0));
        }

        /** Adds the bytes of a tensor of {@code shape} to the total and returns its element count. */
        private long count(int elementBytes, long... shape) {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            bytes += elementBytes * n;
            return n;
        }
    }

    private static long[] contiguousStrides(long[] shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return strides;
    }
}
