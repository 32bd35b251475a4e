package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Java twins of {@code float_oracle.py}'s cases: the same module trees, names and constructor
 * arguments. A wrong argument here shows up as a key, shape or output mismatch against torch.
 */
public final class TorchModels {
    private TorchModels() {
    }

    /** The module cases, by the oracle's name. */
    public static final Map<String, Supplier<Module>> MODULE_CASES = moduleCases();

    /** The batch-norm training cases, by the oracle's name. */
    public static final Map<String, Supplier<Module>> BN_TRAIN_CASES = Map.of(
            "bn2d_train", () -> new BatchNorm2d(3, 1e-5, 0.2, true, true),
            "bn1d_train_cma", () -> new BatchNorm1d(3, 1e-5, null, true, true));

    /** The fusion cases' unfused models, by the oracle's name. */
    public static final Map<String, Supplier<Module>> FUSION_CASES = Map.of(
            "fuse_2d", FuseNet::new,
            "fuse_1d", TorchModels::fuse1d,
            "fuse_3d", TorchModels::fuse3d,
            "fuse_qat", QatNet::new);

    private static Map<String, Supplier<Module>> moduleCases() {
        ConvOptions o = ConvOptions.defaults();
        Map<String, Supplier<Module>> m = new LinkedHashMap<>();
        m.put("linear", () -> new Linear(5, 3));
        m.put("linear_nobias", () -> new Linear(5, 3, false));
        m.put("conv1d", () -> new Conv1d(3, 4, 3, o.withStride(2).withPadding(2).withDilation(2)));
        m.put("conv2d", () -> new Conv2d(4, 6, 3, o.withStride(2).withPadding(1).withDilation(2).withGroups(2).withBias(false)));
        m.put("conv2d_rect", () -> new Conv2d(3, 4, new long[] {3, 2}, o.withStride(2, 1).withPadding(1, 0)));
        m.put("conv2d_unbatched", () -> new Conv2d(2, 3, 3, o.withPadding(1)));
        m.put("conv3d", () -> new Conv3d(2, 4, new long[] {2, 3, 3}, o.withStride(1, 2, 2).withPadding(1).withGroups(2)));
        m.put("bn1d", () -> new BatchNorm1d(4, 1e-3, 0.3, true, true));
        m.put("bn1d_3d", () -> new BatchNorm1d(4));
        m.put("bn2d", () -> new BatchNorm2d(3));
        m.put("bn2d_noaffine", () -> new BatchNorm2d(3, 1e-5, 0.1, false, true));
        m.put("bn2d_notrack", () -> new BatchNorm2d(3, 1e-5, 0.1, true, false));
        m.put("bn3d", () -> new BatchNorm3d(2));
        m.put("relu", ReLU::new);
        m.put("relu6", ReLU6::new);
        m.put("hardswish", Hardswish::new);
        m.put("hardsigmoid", Hardsigmoid::new);
        m.put("identity", Identity::new);
        m.put("dropout", () -> new Dropout(0.3));
        m.put("flatten", Flatten::new);
        m.put("flatten_mid", () -> new Flatten(1, 2));
        m.put("maxpool", () -> new MaxPool2d(PoolOptions.of(3).withStride(2).withPadding(1).withCeilMode(true)));
        m.put("maxpool_default", () -> new MaxPool2d(2));
        m.put("maxpool_dilated", () -> new MaxPool2d(PoolOptions.of(3).withStride(2).withPadding(1).withDilation(2).withCeilMode(true)));
        m.put("maxpool_dilated_rect", () -> new MaxPool2d(PoolOptions.of(2, 3).withStride(1, 2).withPadding(1, 1)
                .withDilation(2, 1)));
        m.put("avgpool", () -> new AvgPool2d(PoolOptions.of(3).withStride(2).withPadding(1).withCeilMode(true)
                .withCountIncludePad(false)));
        m.put("avgpool_pad", () -> new AvgPool2d(PoolOptions.of(3).withStride(2).withPadding(1)));
        m.put("avgpool_default", () -> new AvgPool2d(2));
        m.put("adaptive", () -> new AdaptiveAvgPool2d(2, 3));
        m.put("adaptive_1", () -> new AdaptiveAvgPool2d(1));
        m.put("adaptive_unbatched", () -> new AdaptiveAvgPool2d(3, 2));
        m.put("sequential", () -> new Sequential(new QuantStub(), new Conv2d(3, 4, 3, o.withPadding(1)), new BatchNorm2d(4),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(64, 5), new ReLU6(), new Dropout(0.2),
                new DeQuantStub()));
        m.put("functional", FuncNet::new);
        m.put("nested", Nested::new);
        return m;
    }

    /** The oracle's {@code fuse_1d()}. */
    static Module fuse1d() {
        ConvOptions o = ConvOptions.defaults();
        return new Sequential(new Sequential(new Conv1d(2, 3, 3, o.withPadding(1)), new BatchNorm1d(3), new ReLU()),
                new Conv1d(3, 4, 2, o.withStride(2).withBias(false)), new BatchNorm1d(4, 1e-2, 0.1, true, true),
                new Conv1d(4, 4, 1), new ReLU());
    }

    /** The oracle's {@code fuse_3d()}. */
    static Module fuse3d() {
        ConvOptions o = ConvOptions.defaults();
        return new Sequential(new Conv3d(2, 4, 3, o.withPadding(1).withBias(false)), new BatchNorm3d(4), new ReLU(),
                new Conv3d(4, 2, new long[] {1, 2, 2}, o.withStride(1, 2, 2)), new BatchNorm3d(2), new Conv3d(2, 2, 1),
                new ReLU());
    }

    /** The oracle's {@code FuncNet}: every FloatFunctional op. */
    public static final class FuncNet extends Module {
        FuncNet() {
            register("conv", new Conv2d(3, 3, 1));
            register("f_add", new FloatFunctional());
            register("f_add_relu", new FloatFunctional());
            register("f_mul", new FloatFunctional());
            register("f_scalar", new FloatFunctional());
            register("f_cat", new FloatFunctional());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray y = call("conv", x);
            NDArray a = functional("f_add").add(x, y);
            NDArray b = functional("f_add_relu").addRelu(a, x);
            NDArray c = functional("f_mul").mul(b, y);
            NDArray d = functional("f_scalar").mulScalar(functional("f_scalar").addScalar(c, 0.5), -1.5);
            return functional("f_cat").cat(new NDArray[] {a, d}, 1);
        }
    }

    /** The oracle's {@code Block}. */
    public static final class Block extends Module {
        Block() {
            register("conv1", new Conv2d(4, 4, 3, ConvOptions.defaults().withPadding(1).withBias(false)));
            register("bn1", new BatchNorm2d(4));
            register("relu", new ReLU());
            register("inner", new Sequential(new Conv2d(4, 4, 1), new ReLU6()));
            register("skip", new FloatFunctional());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray y = call("inner", call("relu", call("bn1", call("conv1", x))));
            return functional("skip").add(y, x);
        }
    }

    /** The oracle's {@code Nested}. */
    public static final class Nested extends Module {
        Nested() {
            register("quant", new QuantStub());
            register("stem", new Sequential(new Conv2d(3, 4, 3, ConvOptions.defaults().withStride(2).withPadding(1)),
                    new BatchNorm2d(4), new ReLU()));
            register("block", new Block());
            register("pool", new AdaptiveAvgPool2d(1));
            register("head", new Sequential(new Flatten(), new Dropout(0.25), new Linear(4, 3)));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("head", call("pool", call("block", call("stem", call("quant", x))))));
        }
    }

    /** The oracle's {@code FuseNet}: every 2-d and linear fusion pattern. */
    public static final class FuseNet extends Module {
        FuseNet() {
            ConvOptions o = ConvOptions.defaults();
            register("conv1", new Conv2d(3, 4, 3, o.withPadding(1).withBias(false)));
            register("bn1", new BatchNorm2d(4));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(4, 4, 3, o.withStride(2).withGroups(2)));
            register("bn2", new BatchNorm2d(4, 1e-3, 0.1, true, true));
            register("conv3", new Conv2d(4, 4, 1));
            register("relu3", new ReLU());
            register("pool", new AdaptiveAvgPool2d(1));
            register("flat", new Flatten());
            register("fc1", new Linear(4, 6));
            register("bn_fc", new BatchNorm1d(6));
            register("fc2", new Linear(6, 3));
            register("relu_fc", new ReLU());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("relu1", call("bn1", call("conv1", x)));
            x = call("relu3", call("conv3", call("bn2", call("conv2", x))));
            x = call("bn_fc", call("fc1", call("flat", call("pool", x))));
            return call("relu_fc", call("fc2", x));
        }
    }

    /** The oracle's {@code QatNet}: the QAT fusion patterns. */
    public static final class QatNet extends Module {
        QatNet() {
            ConvOptions o = ConvOptions.defaults();
            register("conv1", new Conv2d(3, 4, 3, o.withPadding(1)));
            register("bn1", new BatchNorm2d(4));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(4, 4, 3, o.withBias(false)));
            register("bn2", new BatchNorm2d(4));
            register("conv3", new Conv2d(4, 2, 1));
            register("relu3", new ReLU());
            register("flat", new Flatten());
            register("fc", new Linear(2 * 4 * 4, 3));
            register("relu_fc", new ReLU());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("relu1", call("bn1", call("conv1", x)));
            x = call("relu3", call("conv3", call("bn2", call("conv2", x))));
            return call("relu_fc", call("fc", call("flat", x)));
        }
    }
}
