import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Loads a checkpoint that LPOT tuned in Python and serves it from Java.
 *
 * <p>Usage: {@code java -Dai.djl.offline=true -cp "target/qcheckpoint-VERSION.jar:target/lib/*"
 * examples/serve-lpot-checkpoint/ServeLpotCheckpoint.java CHECKPOINT_DIR}
 *
 * <p>CHECKPOINT_DIR holds {@code best_configure.yaml} and {@code best_model_weights.pt} written by
 * LPOT v1.5 for the model below, and, for this demo, {@code input.pt} (a batch) and
 * {@code output.pt} (what torch computed for it). {@code fp32_sd.pt}, the float weights, is loaded
 * when present: with your own model, load the weights it was tuned from.
 */
public final class ServeLpotCheckpoint {
    /** The float model LPOT tuned, fused as it was before static tuning (conv + relu). */
    public static final class Net extends Module {
        /** Registers the children in the order the PyTorch model assigns them. */
        public Net() {
            register("quant", new QuantStub());
            register("conv", new ConvReLU2d(new Conv2d(3, 4, 3), new ReLU()));
            register("relu", new Identity());
            register("conv2", new Conv2d(4, 4, 1));
            register("pool", new AdaptiveAvgPool2d(1));
            register("fc", new Linear(4, 10));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray y = call("pool", call("conv2", call("relu", call("conv", call("quant", x)))));
            return call("dequant", call("fc", y.reshape(y.getShape().get(0), -1)));
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/fixtures/lpot/lpot15_static");
        try (Net fp32 = new Net()) {
            if (Files.exists(dir.resolve("fp32_sd.pt"))) {
                fp32.loadStateDict(TorchFiles.readStateDict(dir.resolve("fp32_sd.pt")), true);
            }
            fp32.eval();
            try (QuantizedModel<?> int8 = Checkpoints.load(dir, fp32)) {
                System.out.println("loaded " + dir + ": " + int8.module().namedModules().size() + " modules");
                Tensor input = (Tensor) TorchFiles.read(dir.resolve("input.pt")).root();
                float[] java = serve(int8, input);
                compareWithTorch(dir, java);
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
