import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads a checkpoint that LPOT tuned in Python and serves it from Java.
 *
 * <p>Usage: {@code examples/serve-lpot-checkpoint/run [EXAMPLE_DIR]}, which compiles
 * {@code RefNet.java} into {@code target/examples/serve-lpot-checkpoint} and runs this file with
 * Java's source launcher: {@code java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.log.ai.djl=error
 * -cp "target/qcheckpoint-VERSION.jar:target/lib/*:target/examples/serve-lpot-checkpoint"
 * examples/serve-lpot-checkpoint/ServeLpotCheckpoint.java [EXAMPLE_DIR]} (the logging property
 * keeps DJL's start-up lines out of the output).
 *
 * <p>EXAMPLE_DIR (default {@code examples/serve-lpot-checkpoint}) holds {@code checkpoint/}
 * ({@code best_configure.yaml} and {@code best_model_weights.pt}, as LPOT v1.5 wrote them for
 * {@link RefNet} with PyTorch 1.13), {@code fp32_weights.pt} (the float weights the model was tuned
 * from), and, for this demo, {@code input.pt} (two images) and {@code output.pt} (what PyTorch
 * computed for them with the same checkpoint).
 */
public final class ServeLpotCheckpoint {
    public static void main(String[] args) throws Exception {
        Path example = Path.of(args.length > 0 ? args[0] : "examples/serve-lpot-checkpoint");
        try (RefNet fp32 = new RefNet()) {
            fp32.loadStateDict(TorchFiles.readStateDict(example.resolve("fp32_weights.pt")), true);
            fp32.eval();
            Path checkpoint = example.resolve("checkpoint");
            try (QuantizedModel<?> int8 = Checkpoints.load(checkpoint, fp32)) {
                System.out.println("loaded " + checkpoint + ": " + int8.module().namedModules().size() + " modules");
                Tensor input = (Tensor) TorchFiles.read(example.resolve("input.pt")).root();
                float[] java = serve(int8, input);
                compareWithTorch(example, java);
                serveConcurrently(int8, input, java);
            }
        }
    }

    /** One request: its own NDManager, closed when the answer has been read. */
    private static float[] serve(QuantizedModel<?> model, Tensor input) {
        try (NDManager request = NDManager.newBaseManager()) {
            return model.forward(TensorArrays.toNDArray(request, input)).toFloatArray();
        }
    }

    private static void compareWithTorch(Path dir, float[] java) throws Exception {
        float[] torch = ((Tensor) TorchFiles.read(dir.resolve("output.pt")).root()).toFloatArray();
        int equal = 0;
        double maxDiff = 0;
        for (int i = 0; i < torch.length; i++) {
            equal += torch[i] == java[i] ? 1 : 0;
            maxDiff = Math.max(maxDiff, Math.abs(torch[i] - java[i]));
        }
        System.out.printf("int8 output: %d of %d elements equal PyTorch's, largest difference %.3g%n", equal, torch.length, maxDiff);
    }

    /** The model is read-only in eval mode: many threads can serve it at once. */
    private static void serveConcurrently(QuantizedModel<?> model, Tensor input, float[] expected) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> answers = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                answers.add(pool.submit(() -> serve(model, input)));
            }
            int same = 0;
            for (Future<float[]> f : answers) {
                same += java.util.Arrays.equals(f.get(), expected) ? 1 : 0;
            }
            System.out.println("4 threads, 100 requests: " + same + " answers identical to the first");
        } finally {
            pool.shutdown();
        }
    }
}
