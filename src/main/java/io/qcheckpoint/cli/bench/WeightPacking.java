package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.LoadThreads;
import io.qcheckpoint.kernels.PackedParams;
import io.qcheckpoint.kernels.QuantizedArrays;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Packs a checkpoint's int8 weights for libtorch's kernels, as every load must, and times it: the
 * part of {@code Checkpoints.load} that is libtorch's own work, which no library code can skip.
 * {@code resnet_bench.py warm} packs the same weights the same way in torch 1.13 (conv weights with
 * stride 1, padding {@code k / 2}, dilation 1, one group and their bias; linear weights with
 * theirs), so the two times compare the engines' packing alone. Java packs on as many threads as
 * its loads do ({@link LoadThreads}); torch's load packs one weight after the other.
 */
final class WeightPacking implements AutoCloseable {
    private final NDManager manager = NDManager.newBaseManager();
    private final List<LoadThreads.Job<PackedParams>> packs = new ArrayList<>();
    private final int threads;

    /**
     * Reads the checkpoint's weights into libtorch, ready to pack.
     *
     * @param weightsFile an eager checkpoint's {@code best_model_weights.pt}
     * @param threads the threads that pack them, as a load with as many load threads would
     * @throws IOException if the file cannot be read
     */
    WeightPacking(Path weightsFile, int threads) throws IOException {
        this.threads = threads;
        StateDict sd = TorchFiles.readStateDict(weightsFile);
        try {
            sd.entries().forEach((key, value) -> add(sd, key, value));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** Returns how many weights a pass packs. */
    int count() {
        return packs.size();
    }

    /**
     * Packs every weight once and frees the packs.
     *
     * @return the milliseconds the packing took (freeing excluded)
     */
    double packAllMs() {
        long t0 = System.nanoTime();
        List<PackedParams> packed = LoadThreads.runAll(packs, threads);
        double ms = (System.nanoTime() - t0) / 1e6;
        packed.forEach(PackedParams::close);
        return ms;
    }

    @Override
    public void close() {
        manager.close();
    }

    private void add(StateDict sd, String key, Object value) {
        if (value instanceof Tensor w && w.dtype() == DType.QINT8 && w.dim() >= 3 && key.endsWith(".weight")) {
            NDArray weight = QuantizedArrays.toNDArray(manager, w);
            NDArray bias = sd.get(key.substring(0, key.length() - "weight".length()) + "bias") instanceof Tensor b
                    ? TensorArrays.toNDArray(manager, b) : null;
            int spatial = w.dim() - 2;
            long[] padding = Arrays.stream(w.shape(), 2, w.dim()).map(k -> k / 2).toArray();
            long[] ones = new long[spatial];
            Arrays.fill(ones, 1);
            PackedParams.Kind kind = switch (spatial) {
                case 1 -> PackedParams.Kind.CONV1D;
                case 2 -> PackedParams.Kind.CONV2D;
                default -> PackedParams.Kind.CONV3D;
            };
            packs.add(new LoadThreads.Job<>(w.numel(),
                    () -> PackedParams.conv(kind, weight, bias, ones, padding, ones, 1)));
        } else if (value instanceof Tuple t && t.size() == 2 && t.get(0) instanceof Tensor w
                && w.dtype() == DType.QINT8 && w.dim() == 2) {
            NDArray weight = QuantizedArrays.toNDArray(manager, w);
            NDArray bias = t.get(1) instanceof Tensor b ? TensorArrays.toNDArray(manager, b) : null;
            packs.add(new LoadThreads.Job<>(w.numel(),
                    () -> PackedParams.linear(PackedParams.Kind.LINEAR, weight, bias)));
        }
    }
}
