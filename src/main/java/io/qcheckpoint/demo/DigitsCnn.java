package io.qcheckpoint.demo;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * The demo's small CNN for {@link Digits}: {@code (N, 1, 8, 8)} images to {@code (N, 10)} logits.
 * The same module tree as {@code DigitsCnn} of {@code src/test/python/train_digits_cnn.py}, whose
 * trained weights {@link #pretrained()} loads (99.4% on the test split in float32).
 *
 * <pre>{@code
 * try (DigitsCnn model = DigitsCnn.pretrained();
 *      Module fused = FuseModules.fuseModules(model, DigitsCnn.FUSE_GROUPS)) { ... }
 * }</pre>
 */
public final class DigitsCnn extends Module {
    /** The groups to fuse before quantization: conv-bn-relu twice, then linear-relu. */
    public static final List<List<String>> FUSE_GROUPS = List.of(
            List.of("conv1", "bn1", "relu1"), List.of("conv2", "bn2", "relu2"), List.of("fc1", "relu3"));

    /** The trained weights (a torch state dict of the unfused model), beside this class. */
    static final String WEIGHTS = "digits_cnn.pt";

    /** Creates an untrained model, its weights drawn at random as the layers' constructors do. */
    public DigitsCnn() {
        register("quant", new QuantStub());
        register("conv1", new Conv2d(1, 16, 3, ConvOptions.defaults().withPadding(1)));
        register("bn1", new BatchNorm2d(16));
        register("relu1", new ReLU());
        register("conv2", new Conv2d(16, 32, 3, ConvOptions.defaults().withPadding(1)));
        register("bn2", new BatchNorm2d(32));
        register("relu2", new ReLU());
        register("pool", new MaxPool2d(2));
        register("flatten", new Flatten());
        register("fc1", new Linear(512, 64));
        register("relu3", new ReLU());
        register("fc2", new Linear(64, 10));
        register("dequant", new DeQuantStub());
    }

    /**
     * Returns the model with its committed trained weights, in eval mode.
     *
     * @return a new model, owned by the caller
     * @throws IllegalStateException if the weights resource is missing, unreadable, or does not fit
     *     the model exactly (strict load)
     */
    public static DigitsCnn pretrained() {
        DigitsCnn model = new DigitsCnn();
        try (InputStream in = DigitsCnn.class.getResourceAsStream(WEIGHTS)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DigitsCnn.class.getPackageName().replace('.', '/') + "/"
                        + WEIGHTS + " is missing from the class path");
            }
            TorchFile file = TorchFiles.read(in, WEIGHTS);
            model.loadStateDict(StateDict.fromPickled(file.root(), WEIGHTS), true);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e instanceof IllegalStateException ise ? ise
                    : new IllegalStateException("cannot load " + WEIGHTS + " into DigitsCnn: " + e.getMessage(), e);
        }
        model.eval();
        return model;
    }

    /**
     * Runs the model.
     *
     * @param input images, float32 of shape {@code (N, 1, 8, 8)}
     * @return the logits, {@code (N, 10)}, owned by the input's manager
     */
    @Override
    public NDArray forward(NDArray input) {
        NDArray x = call("quant", input);
        x = call("relu1", call("bn1", call("conv1", x)));
        x = call("relu2", call("bn2", call("conv2", x)));
        x = call("flatten", call("pool", x));
        x = call("relu3", call("fc1", x));
        return call("dequant", call("fc2", x));
    }
}
