package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.bench.NnBenchmark.Series;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One checkpoint's int8 forward on two float models: the hand-written {@link ResNets} tree and the
 * same network imported from its TorchScript file ({@code fp32_traced.pt}). The imported model runs
 * its compiled forward statement by statement between the same quantized modules, so the question
 * is what that interpretation costs: the target is at most {@link #TARGET} times the hand-written
 * tree's time. Both must give the same output, element for element.
 */
public final class ImportedForward {
    /** The TorchScript file {@code resnet_bench.py models} writes beside the checkpoint. */
    public static final String TRACED = "fp32_traced.pt";
    /** The imported model's forward may take at most this multiple of the hand-written tree's. */
    public static final double TARGET = 1.10;
    private static final int WARMUP = 3;
    private static final int FORWARDS_PER_SAMPLE = 5;

    /**
     * What was measured.
     *
     * @param elements output elements
     * @param equal how many are equal in the two models' outputs
     * @param handWrittenMs one forward of the hand-written model, per sample
     * @param importedMs one forward of the imported model, per sample, each taken next to the other's
     */
    public record Result(int elements, int equal, Series handWrittenMs, Series importedMs) {
        /** The median over pairs of samples of imported over hand-written time. */
        public double ratio() {
            double[] ratios = new double[importedMs.values().length];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = importedMs.values()[i] / handWrittenMs.values()[i];
            }
            return new Series(ratios).median();
        }
    }

    private ImportedForward() {
    }

    /**
     * Measures, if the TorchScript file is in {@code dir}.
     *
     * @param handWritten the fused fp32 tree with the checkpoint's float weights
     * @param dir the checkpoint folder
     * @param samples timed samples on each side, alternating
     * @return the result, or null when {@code dir} has no {@value #TRACED}
     * @throws IOException if a file cannot be read or the checkpoint does not fit
     */
    public static Result measure(Module handWritten, Path dir, int samples) throws IOException {
        if (!Files.exists(dir.resolve(TRACED))) {
            return null;
        }
        Tensor input = (Tensor) TorchFiles.read(dir.resolve(LoadBenchmark.INPUT)).root();
        try (Module imported = TorchScriptModels.load(dir.resolve(TRACED));
             QuantizedModel<?> a = Checkpoints.load(dir, handWritten);
             QuantizedModel<?> b = Checkpoints.load(dir, imported);
             NDManager m = NDManager.newBaseManager()) {
            NDArray x = TensorArrays.toNDArray(m, input);
            float[] ya = forwardOnce(a, x);
            float[] yb = forwardOnce(b, x);
            int equal = 0;
            for (int i = 0; i < Math.min(ya.length, yb.length); i++) {
                equal += ya[i] == yb[i] ? 1 : 0;
            }
            for (int i = 0; i < WARMUP; i++) {
                time(a, x);
                time(b, x);
            }
            double[] handMs = new double[samples];
            double[] importedMs = new double[samples];
            for (int i = 0; i < samples; i++) {
                // which goes first alternates, so that neither always runs right after the other
                if (i % 2 == 0) {
                    handMs[i] = time(a, x);
                    importedMs[i] = time(b, x);
                } else {
                    importedMs[i] = time(b, x);
                    handMs[i] = time(a, x);
                }
            }
            return new Result(Math.max(ya.length, yb.length), equal, new Series(handMs), new Series(importedMs));
        }
    }

    private static float[] forwardOnce(QuantizedModel<?> q, NDArray x) {
        try (NDManager request = x.getManager().newSubManager()) {
            NDArray in = x.duplicate();
            in.attach(request);
            return q.forward(in).toFloatArray();
        }
    }

    /** Milliseconds per forward, over a few back to back, each with its own request manager as a service has. */
    private static double time(QuantizedModel<?> q, NDArray x) {
        long t0 = System.nanoTime();
        for (int i = 0; i < FORWARDS_PER_SAMPLE; i++) {
            forwardOnce(q, x);
        }
        return (System.nanoTime() - t0) / 1e6 / FORWARDS_PER_SAMPLE;
    }
}
