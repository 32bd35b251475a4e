package io.qcheckpoint.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The fresh JVM of {@code bench load} ({@link FreshProcess}'s protocol): starts DJL's PyTorch
 * engine, prints {@code ready}, waits for a line, builds the fused fp32 ResNet with its weights,
 * prints {@code model}, waits for a line, loads the checkpoint with {@link Checkpoints#load}, runs
 * the input through it, prints {@code done MODEL_MS LOAD_MS FORWARD_MS} and waits for a line before
 * it exits.
 */
public final class LoadProbe {
    private LoadProbe() {
    }

    /**
     * Runs the protocol.
     *
     * @param args the checkpoint folder {@code resnet_bench.py models} wrote, the architecture, the int8 engine
     *     and the load threads (0 for the default)
     * @throws IOException if a file cannot be read or the checkpoint does not load
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: LoadProbe DIR resnet18|resnet50 ENGINE LOAD_THREADS (0: the default)");
            System.exit(2);
        }
        LoadOptions options = LoadBenchmark.loadOptions(Integer.parseInt(args[3]));
        Path dir = Path.of(args[0]);
        ResNets.Arch arch = ResNets.byName(args[1]);
        // the point a Python process reaches after `import torch`: libtorch loaded, nothing else
        Engine.getEngine("PyTorch");
        QuantizedEngines.set(QuantizedEngine.of(args[2]));
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("ready");
        System.out.flush();
        stdin.readLine();
        long t0 = System.nanoTime();
        try (Module fp32 = LoadBenchmark.fp32Model(arch, dir)) {
            System.out.println("model");
            System.out.flush();
            stdin.readLine();
            long t1 = System.nanoTime();
            try (QuantizedModel<?> q = Checkpoints.load(dir, fp32, options)) {
                long t2 = System.nanoTime();
                Tensor input = (Tensor) TorchFiles.read(dir.resolve(LoadBenchmark.INPUT)).root();
                try (NDManager m = NDManager.newBaseManager()) {
                    q.forward(TensorArrays.toNDArray(m, input)).toFloatArray();
                }
                long t3 = System.nanoTime();
                System.out.println(String.format(Locale.ROOT, "done %.3f %.3f %.3f", (t1 - t0) / 1e6, (t2 - t1) / 1e6,
                        (t3 - t2) / 1e6));
                System.out.flush();
                stdin.readLine();
            }
        }
    }
}
