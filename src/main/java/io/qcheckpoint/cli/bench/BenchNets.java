package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

/**
 * The networks of {@code bench nn}, as Java module trees that mirror {@code BenchMLP} and
 * {@code BenchCNN} of {@code src/test/python/nn_models.py}: the same child names in the same order,
 * the same forward, so torch's state dicts load into them strictly.
 */
public final class BenchNets {
    private BenchNets() {
    }

    /**
     * One benchmark network.
     *
     * @param name the name on the command line and in the tables ({@code mlp}, {@code cnn})
     * @param file the file prefix that {@code nn_models.py bench-models} writes ({@code bench_mlp}, ...)
     * @param factory makes a new float model (random weights until a state dict is loaded)
     * @param fusion the groups to fuse before convert, as the Python side fused them
     * @param speedupTarget how many times faster than float32 the int8 model is meant to be
     */
    public record Net(String name, String file, Supplier<Module> factory, List<List<String>> fusion,
                      double speedupTarget) implements NnNetwork {
        /** Returns {@code nn_models.py bench-models DIR}, which writes both networks. */
        @Override
        public List<String> generator(String dir) {
            return List.of(BenchNetFiles.GENERATOR.toString(), "bench-models", dir);
        }

        @Override
        public List<Path> missing(Path dir) {
            return new BenchNetFiles(dir, this).missing();
        }

        /** Loads the three variants of {@link NnVariants}. */
        @Override
        public NnCase load(Path dir) throws IOException {
            return NnVariants.load(new BenchNetFiles(dir, this));
        }
    }

    /** The MLP, 3 x Linear(1024, 1024), batch 64. */
    public static final Net MLP = new Net("mlp", "bench_mlp", Mlp::new,
            List.of(List.of("fc1", "relu1"), List.of("fc2", "relu2")), 3.5);

    /** The ResNet-style CNN, batch 8 x 3 x 64 x 64. */
    public static final Net CNN = new Net("cnn", "bench_cnn", Cnn::new,
            List.of(List.of("stem", "stem_bn", "stem_relu"), List.of("s1_conv1", "s1_bn1", "s1_relu1"),
                    List.of("s1_conv2", "s1_bn2"), List.of("s2_conv1", "s2_bn1", "s2_relu1"),
                    List.of("s2_conv2", "s2_bn2"), List.of("s2_down", "s2_down_bn")), 4.0);

    /** Both networks ({@code bench nn} also runs {@link ImportedVariants#RESNET18}: {@link NnBenchmark#NETWORKS}). */
    public static final List<Net> ALL = List.of(MLP, CNN);

    /**
     * Returns the network with the given name.
     *
     * @param name {@code mlp} or {@code cnn}
     * @return the network
     * @throws IllegalArgumentException for another name
     */
    public static Net byName(String name) {
        return ALL.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no bench network '" + name + "'"));
    }

    /** {@code BenchMLP}: quant, fc1, relu1, fc2, relu2, fc3, dequant; input [64, 1024]. */
    public static final class Mlp extends Module {
        /** Creates the float model with random weights. */
        public Mlp() {
            register("quant", new QuantStub());
            register("fc1", new Linear(1024, 1024));
            register("relu1", new ReLU());
            register("fc2", new Linear(1024, 1024));
            register("relu2", new ReLU());
            register("fc3", new Linear(1024, 1024));
            register("dequant", new DeQuantStub());
        }

        /**
         * Runs the network.
         *
         * @param x the float input, [N, 1024]
         * @return the float output, [N, 1024], owned by the input's manager
         */
        @Override
        public NDArray forward(NDArray x) {
            x = call("quant", x);
            x = call("relu1", call("fc1", x));
            x = call("relu2", call("fc2", x));
            return call("dequant", call("fc3", x));
        }
    }

    /**
     * {@code BenchCNN}: a flat module with a conv stem and two residual stages of 64 and 128
     * channels (every conv without bias, each followed by a BatchNorm2d), global average pooling
     * and Linear(128, 10); input [8, 3, 64, 64].
     */
    public static final class Cnn extends Module {
        /** Creates the float model with random weights. */
        public Cnn() {
            ConvOptions same = ConvOptions.defaults().withPadding(1).withBias(false);
            register("quant", new QuantStub());
            register("stem", new Conv2d(3, 64, 3, same));
            register("stem_bn", new BatchNorm2d(64));
            register("stem_relu", new ReLU());
            register("s1_conv1", new Conv2d(64, 64, 3, same));
            register("s1_bn1", new BatchNorm2d(64));
            register("s1_relu1", new ReLU());
            register("s1_conv2", new Conv2d(64, 64, 3, same));
            register("s1_bn2", new BatchNorm2d(64));
            register("s1_add", new FloatFunctional());
            register("s2_conv1", new Conv2d(64, 128, 3, same.withStride(2)));
            register("s2_bn1", new BatchNorm2d(128));
            register("s2_relu1", new ReLU());
            register("s2_conv2", new Conv2d(128, 128, 3, same));
            register("s2_bn2", new BatchNorm2d(128));
            register("s2_down", new Conv2d(64, 128, 1, ConvOptions.defaults().withStride(2).withBias(false)));
            register("s2_down_bn", new BatchNorm2d(128));
            register("s2_add", new FloatFunctional());
            register("avgpool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(128, 10));
            register("dequant", new DeQuantStub());
        }

        /**
         * Runs the network.
         *
         * @param x the float input, [N, 3, H, W]
         * @return the float logits, [N, 10], owned by the input's manager
         */
        @Override
        public NDArray forward(NDArray x) {
            x = call("quant", x);
            x = call("stem_relu", call("stem_bn", call("stem", x)));
            NDArray y = call("s1_relu1", call("s1_bn1", call("s1_conv1", x)));
            y = call("s1_bn2", call("s1_conv2", y));
            x = functional("s1_add").addRelu(y, x);
            y = call("s2_relu1", call("s2_bn1", call("s2_conv1", x)));
            y = call("s2_bn2", call("s2_conv2", y));
            NDArray r = call("s2_down_bn", call("s2_down", x));
            x = functional("s2_add").addRelu(y, r);
            x = call("flatten", call("avgpool", x));
            return call("dequant", call("fc", x));
        }
    }
}
