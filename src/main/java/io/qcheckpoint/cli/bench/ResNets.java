package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.PoolOptions;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.quantization.FuseModules;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * torchvision 0.14's quantizable ResNets ({@code torchvision.models.quantization.resnet18} and
 * {@code resnet50}) as Java module trees: the same children in the same order, the same forward and
 * the same {@code fuse_model} groups, so the fp32 state dict that {@code resnet_bench.py} writes
 * for the fused model loads strictly, and LPOT's op names for it are this tree's paths.
 */
public final class ResNets {
    private static final ConvOptions NO_BIAS = ConvOptions.defaults().withBias(false);

    private ResNets() {
    }

    /**
     * One architecture.
     *
     * @param name its name in {@code resnet_bench.py} and on the command line
     * @param factory makes the unfused fp32 model with random weights
     */
    public record Arch(String name, Supplier<ResNet> factory) {
        /**
         * Returns the fp32 model as LPOT's example hands it to {@code load}: eval mode, fused.
         *
         * @return the fused model, owned by the caller
         */
        public Module fusedModel() {
            try (ResNet m = factory.get()) {
                m.eval();
                return FuseModules.fuseModules(m, m.fuseGroups());
            }
        }
    }

    /** ResNet-18: basic blocks, [2, 2, 2, 2]. */
    public static final Arch RESNET18 = new Arch("resnet18", () -> new ResNet(false, new int[] {2, 2, 2, 2}));
    /** ResNet-50: bottleneck blocks, [3, 4, 6, 3]. */
    public static final Arch RESNET50 = new Arch("resnet50", () -> new ResNet(true, new int[] {3, 4, 6, 3}));
    /** Both, in the order the benchmark runs them. */
    public static final List<Arch> ALL = List.of(RESNET18, RESNET50);

    /**
     * Returns the architecture with this name.
     *
     * @param name {@code resnet18} or {@code resnet50}
     * @return the architecture
     * @throws IllegalArgumentException for another name
     */
    public static Arch byName(String name) {
        return ALL.stream().filter(a -> a.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no ResNet '" + name + "' (resnet18, resnet50)"));
    }

    private static Sequential downsample(int in, int out, int stride) {
        return new Sequential(new Conv2d(in, out, 1, NO_BIAS.withStride(stride)), new BatchNorm2d(out));
    }

    /** {@code QuantizableResNet}: conv1, bn1, relu, maxpool, layer1..4, avgpool, fc, quant, dequant. */
    public static final class ResNet extends Module {
        private final boolean bottleneck;

        ResNet(boolean bottleneck, int[] layers) {
            this.bottleneck = bottleneck;
            int expansion = bottleneck ? 4 : 1;
            register("conv1", new Conv2d(3, 64, 7, NO_BIAS.withStride(2).withPadding(3)));
            register("bn1", new BatchNorm2d(64));
            register("relu", new ReLU());
            register("maxpool", new MaxPool2d(PoolOptions.of(3).withStride(2).withPadding(1)));
            int in = 64;
            for (int i = 0; i < layers.length; i++) {
                int planes = 64 << i;
                List<Module> blocks = new ArrayList<>();
                for (int b = 0; b < layers[i]; b++) {
                    int stride = b == 0 && i > 0 ? 2 : 1;
                    blocks.add(bottleneck ? new Bottleneck(in, planes, stride) : new BasicBlock(in, planes, stride));
                    in = planes * expansion;
                }
                register("layer" + (i + 1), new Sequential(blocks.toArray(Module[]::new)));
            }
            register("avgpool", new AdaptiveAvgPool2d(1));
            register("fc", new Linear(512 * expansion, 1000));
            register("quant", new QuantStub());
            register("dequant", new DeQuantStub());
        }

        /**
         * Runs the network.
         *
         * @param input float images, [N, 3, H, W]
         * @return the logits, [N, 1000], owned by the input's manager
         */
        @Override
        public NDArray forward(NDArray input) {
            NDArray x = call("maxpool", call("relu", call("bn1", call("conv1", call("quant", input)))));
            for (int i = 1; i <= 4; i++) {
                x = call("layer" + i, x);
            }
            // torch.flatten(x, 1), a function in torchvision's forward, not a module
            return call("dequant", call("fc", call("avgpool", x).flatten(1, -1)));
        }

        /**
         * Returns {@code QuantizableResNet.fuse_model}'s groups: the stem, then every block's.
         *
         * @return dotted paths, in model order
         */
        public List<List<String>> fuseGroups() {
            List<List<String>> groups = new ArrayList<>();
            groups.add(List.of("conv1", "bn1", "relu"));
            namedModules().forEach((path, m) -> {
                if (m instanceof BasicBlock || m instanceof Bottleneck) {
                    String p = path + ".";
                    groups.add(List.of(p + "conv1", p + "bn1", p + (bottleneck ? "relu1" : "relu")));
                    groups.add(bottleneck ? List.of(p + "conv2", p + "bn2", p + "relu2") : List.of(p + "conv2", p + "bn2"));
                    if (bottleneck) {
                        groups.add(List.of(p + "conv3", p + "bn3"));
                    }
                    if (m.namedChildren().containsKey("downsample")) {
                        groups.add(List.of(p + "downsample.0", p + "downsample.1"));
                    }
                }
            });
            return groups;
        }
    }

    /** {@code QuantizableBasicBlock}: conv1, bn1, relu, conv2, bn2, [downsample], add_relu. */
    static final class BasicBlock extends Module {
        BasicBlock(int in, int planes, int stride) {
            ConvOptions conv3x3 = NO_BIAS.withPadding(1);
            register("conv1", new Conv2d(in, planes, 3, conv3x3.withStride(stride)));
            register("bn1", new BatchNorm2d(planes));
            register("relu", new ReLU());
            register("conv2", new Conv2d(planes, planes, 3, conv3x3));
            register("bn2", new BatchNorm2d(planes));
            if (stride != 1 || in != planes) {
                register("downsample", downsample(in, planes, stride));
            }
            register("add_relu", new FloatFunctional());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray out = call("relu", call("bn1", call("conv1", x)));
            out = call("bn2", call("conv2", out));
            NDArray identity = namedChildren().containsKey("downsample") ? call("downsample", x) : x;
            return functional("add_relu").addRelu(out, identity);
        }
    }

    /**
     * {@code QuantizableBottleneck}: conv1, bn1, conv2, bn2, conv3, bn3, relu (unused, as in
     * torchvision), [downsample], skip_add_relu, relu1, relu2.
     */
    static final class Bottleneck extends Module {
        Bottleneck(int in, int planes, int stride) {
            int out = planes * 4;
            register("conv1", new Conv2d(in, planes, 1, NO_BIAS));
            register("bn1", new BatchNorm2d(planes));
            register("conv2", new Conv2d(planes, planes, 3, NO_BIAS.withStride(stride).withPadding(1)));
            register("bn2", new BatchNorm2d(planes));
            register("conv3", new Conv2d(planes, out, 1, NO_BIAS));
            register("bn3", new BatchNorm2d(out));
            register("relu", new ReLU());
            if (stride != 1 || in != out) {
                register("downsample", downsample(in, out, stride));
            }
            register("skip_add_relu", new FloatFunctional());
            register("relu1", new ReLU());
            register("relu2", new ReLU());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray out = call("relu1", call("bn1", call("conv1", x)));
            out = call("relu2", call("bn2", call("conv2", out)));
            out = call("bn3", call("conv3", out));
            NDArray identity = namedChildren().containsKey("downsample") ? call("downsample", x) : x;
            return functional("skip_add_relu").addRelu(out, identity);
        }
    }
}
