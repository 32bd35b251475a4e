package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import java.util.function.Supplier;

/**
 * The models of {@code src/test/python/nn_models.py}, rebuilt in Java the way a user writes them:
 * children registered in torch's order, forward reaching them through the tree.
 */
final class FixtureModels {
    private FixtureModels() {
    }

    /** Returns a new float model of the named fixture. */
    static Module create(String name) {
        Supplier<Module> s = switch (name) {
            case "mlp" -> Mlp::new;
            case "cnn" -> Cnn::new;
            case "ops" -> Ops::new;
            case "conv3d" -> Conv3dNet::new;
            case "bn" -> BnNet::new;
            case "dynamic" -> DynamicMlp::new;
            default -> throw new IllegalArgumentException(name);
        };
        return s.get();
    }

    static final class Mlp extends Module {
        Mlp() {
            register("quant", new QuantStub());
            register("fc1", new Linear(16, 32));
            register("relu1", new ReLU());
            register("fc2", new Linear(32, 32));
            register("relu2", new ReLU());
            register("fc3", new Linear(32, 8));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("quant", x);
            x = call("relu1", call("fc1", x));
            x = call("relu2", call("fc2", x));
            return call("dequant", call("fc3", x));
        }
    }

    static final class Cnn extends Module {
        Cnn() {
            register("quant", new QuantStub());
            register("conv1", new Conv2d(3, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("bn1", new BatchNorm2d(8));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(8, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("bn2", new BatchNorm2d(8));
            register("skip", new FloatFunctional());
            register("pool", new MaxPool2d(2));
            register("conv3", new Conv2d(8, 16, 3, ConvOptions.defaults().withStride(2).withPadding(1).withGroups(2)));
            register("relu3", new ReLU());
            register("avgpool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(16, 10));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("quant", x);
            NDArray a = call("relu1", call("bn1", call("conv1", x)));
            NDArray b = call("bn2", call("conv2", a));
            NDArray c = call("pool", functional("skip").addRelu(b, a));
            NDArray d = call("relu3", call("conv3", c));
            NDArray e = call("flatten", call("avgpool", d));
            return call("dequant", call("fc", e));
        }
    }

    static final class Ops extends Module {
        Ops() {
            register("quant", new QuantStub());
            register("conv", new Conv1d(4, 6, 3, ConvOptions.defaults().withStride(2).withPadding(1)));
            register("relu", new ReLU());
            for (String f : new String[] {"f_mul", "f_cat", "f_adds", "f_muls", "f_add"}) {
                register(f, new FloatFunctional());
            }
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray a = call("relu", call("conv", call("quant", x)));
            NDArray b = functional("f_mul").mul(a, a);
            NDArray c = functional("f_cat").cat(new NDArray[] {a, b}, 1);
            NDArray d = functional("f_adds").addScalar(c, 0.5);
            NDArray e = functional("f_muls").mulScalar(d, 0.75);
            return call("dequant", functional("f_add").add(e, e));
        }
    }

    static final class Conv3dNet extends Module {
        Conv3dNet() {
            register("quant", new QuantStub());
            register("conv", new Conv3d(2, 4, 3, ConvOptions.defaults().withPadding(1)));
            register("relu", new ReLU());
            register("conv2", new Conv3d(4, 4, new long[] {1, 3, 3}, ConvOptions.defaults().withStride(1, 2, 2)));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("conv2", call("relu", call("conv", call("quant", x)))));
        }
    }

    static final class BnNet extends Module {
        BnNet() {
            register("quant", new QuantStub());
            register("conv", new Conv2d(3, 4, 3));
            register("bn", new BatchNorm2d(4));
            register("relu", new ReLU());
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("relu", call("bn", call("conv", call("quant", x)))));
        }
    }

    static final class DynamicMlp extends Module {
        DynamicMlp() {
            register("fc1", new Linear(16, 32));
            register("relu", new ReLU());
            register("fc2", new Linear(32, 4));
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("fc2", call("relu", call("fc1", x)));
        }
    }
}
