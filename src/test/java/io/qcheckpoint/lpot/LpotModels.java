package io.qcheckpoint.lpot;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.AvgPool2d;
import io.qcheckpoint.nn.BatchNorm1d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.BatchNorm3d;
import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Dropout;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU6;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.nn.intrinsic.ConvBn2d;
import io.qcheckpoint.nn.intrinsic.ConvBnReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU1d;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU3d;
import io.qcheckpoint.nn.intrinsic.LinearReLU;

/** The models of {@code src/test/python/lpot_models.py}, as a Java user writes them. Public: the CLI loads them by name. */
public final class LpotModels {
    private LpotModels() {
    }

    /** Returns a new float model for a fixture case. */
    static Module forCase(String caseName) {
        return switch (caseName) {
            case "lpot15_static", "lpot15_qat", "lpot15_dynamic" -> new RefNet();
            case "static_wrap" -> new WrapNet();
            case "static_identity" -> new IdentityNet();
            case "dynamic_mlp" -> new DynamicMlp();
            case "fused_cnn" -> new FusedCnn();
            case "dropout_net" -> new DropoutNet();
            case "relu_dropout_mlp" -> new ReluDropoutMlp();
            case "bn3d_net" -> new BatchNorm3dNet();
            case "op_types" -> new OpTypesNet();
            default -> throw new IllegalArgumentException(caseName);
        };
    }

    /**
     * torch's {@code dequant(fc(torch.flatten(pool(conv2(relu(conv(quant(x))))), 1)))}, fused or not,
     * through {@link Module#call} so that a failure names the module's path.
     */
    abstract static class RefForward extends Module {
        @Override
        public NDArray forward(NDArray x) {
            NDArray y = call("pool", call("conv2", call("relu", call("conv", call("quant", x)))));
            return call("dequant", call("fc", y.reshape(y.getShape().get(0), -1)));
        }
    }

    /** The model of the LPOT v1.5 reference checkpoints. */
    public static final class RefNet extends RefForward {
        /** Creates it. */
        public RefNet() {
            register("quant", new QuantStub());
            register("conv", new Conv2d(3, 4, 3));
            register("relu", new ReLU());
            register("conv2", new Conv2d(4, 4, 1));
            register("pool", new AdaptiveAvgPool2d(1));
            register("fc", new Linear(4, 10));
            register("dequant", new DeQuantStub());
        }
    }

    /**
     * {@link RefNet} fused as before static tuning: {@code conv} a ConvReLU2d, {@code relu} an
     * Identity; what a user passes with LPOT's static and QAT checkpoints of this model.
     */
    public static final class FusedRefNet extends RefForward {
        /** Creates it. */
        public FusedRefNet() {
            register("quant", new QuantStub());
            register("conv", new ConvReLU2d(new Conv2d(3, 4, 3), new ReLU()));
            register("relu", new Identity());
            register("conv2", new Conv2d(4, 4, 1));
            register("pool", new AdaptiveAvgPool2d(1));
            register("fc", new Linear(4, 10));
            register("dequant", new DeQuantStub());
        }
    }

    /** An fp32 op among several quantized ones: wrapped in a DequantQuantWrapper. */
    public static final class WrapNet extends Module {
        /** Creates it. */
        public WrapNet() {
            register("quant", new QuantStub());
            register("conv1", new Conv2d(3, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(8, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("relu2", new ReLU());
            register("pool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(8, 5));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("relu2", call("conv2", call("relu1", call("conv1", call("quant", x)))));
            return call("dequant", call("fc", call("flatten", call("pool", x))));
        }
    }

    /** A block whose only op is fp32: its stubs become Identity. */
    public static final class Block extends Module {
        /** Creates it. */
        public Block() {
            register("quant", new QuantStub());
            register("fc", new Linear(8, 5));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("fc", call("quant", x)));
        }
    }

    /** Quantized ops outside, an fp32 block inside. */
    public static final class IdentityNet extends Module {
        /** Creates it. */
        public IdentityNet() {
            register("quant", new QuantStub());
            register("conv", new Conv2d(3, 8, 3));
            register("relu", new ReLU());
            register("pool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("dequant", new DeQuantStub());
            register("block", new Block());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("flatten", call("pool", call("relu", call("conv", call("quant", x)))));
            return call("block", call("dequant", x));
        }
    }

    /** The model of {@code ipex_models.py}, fused as IPEX runs it: conv1 a ConvReLU2d. */
    public static final class IpexNet extends Module {
        /** Creates it. */
        public IpexNet() {
            register("conv1", new ConvReLU2d(new Conv2d(3, 8, 3, ConvOptions.defaults().withPadding(1)), new ReLU()));
            register("relu1", new Identity());
            register("conv2", new Conv2d(8, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("relu2", new ReLU());
            register("pool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(8, 5));
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("relu2", call("conv2", call("relu1", call("conv1", x))));
            return call("fc", call("flatten", call("pool", x)));
        }
    }

    /** Dynamic quantization, one op left in fp32. */
    public static final class DynamicMlp extends Module {
        /** Creates it. */
        public DynamicMlp() {
            register("fc1", new Linear(16, 32));
            register("relu", new ReLU());
            register("fc2", new Linear(32, 4));
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("fc2", call("relu", call("fc1", x)));
        }
    }

    /** Conv-bn(-relu) fusion and a residual add. */
    public static final class FusedCnn extends Module {
        /** Creates it. */
        public FusedCnn() {
            register("quant", new QuantStub());
            register("conv1", new Conv2d(3, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("bn1", new BatchNorm2d(8));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(8, 8, 3, ConvOptions.defaults().withPadding(1)));
            register("bn2", new BatchNorm2d(8));
            register("skip", new FloatFunctional());
            register("pool", new MaxPool2d(2));
            register("avgpool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(8, 10));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            NDArray a = call("relu1", call("bn1", call("conv1", call("quant", x))));
            NDArray b = call("bn2", call("conv2", a));
            NDArray c = call("pool", functional("skip").add(b, a));
            return call("dequant", call("fc", call("flatten", call("avgpool", c))));
        }
    }

    /** A static model with a Dropout, which LPOT lists (torch 1.13 maps it to nn.quantized.Dropout). */
    public static final class DropoutNet extends Module {
        /** Creates it. */
        public DropoutNet() {
            register("quant", new QuantStub());
            register("conv", new Conv2d(3, 8, 3));
            register("relu", new ReLU());
            register("drop", new Dropout(0.25));
            register("pool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(8, 5));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("pool", call("drop", call("relu", call("conv", call("quant", x)))));
            return call("dequant", call("fc", call("flatten", x)));
        }
    }

    /** A dynamic model whose fc1 + relu fuse into a LinearReLU; its Dropout is not a dynamic op. */
    public static final class ReluDropoutMlp extends Module {
        /** Creates it. */
        public ReluDropoutMlp() {
            register("fc1", new Linear(16, 32));
            register("relu", new ReLU());
            register("drop", new Dropout(0.1));
            register("fc2", new Linear(32, 4));
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("fc2", call("drop", call("relu", call("fc1", x))));
        }
    }

    /** A model whose ops are only listed, never run. */
    private abstract static class ListingOnly extends Module {
        @Override
        public NDArray forward(NDArray x) {
            throw new UnsupportedOperationException("for listing ops only");
        }
    }

    /** An unfused Conv3d + BatchNorm3d: the batch norm is an op of its own (torch's nn.quantized.BatchNorm3d). */
    public static final class BatchNorm3dNet extends Module {
        /** Creates it. */
        public BatchNorm3dNet() {
            register("quant", new QuantStub());
            register("conv", new Conv3d(2, 4, 1));
            register("bn", new BatchNorm3d(4));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("bn", call("conv", call("quant", x))));
        }
    }

    /** {@code lpot_models.py}'s Inner: stubs, an op, a Dropout and a FloatFunctional in a submodule. */
    public static final class Inner extends ListingOnly {
        /** Creates it. */
        public Inner() {
            register("quant", new QuantStub());
            register("fc", new Linear(2, 2));
            register("drop", new Dropout());
            register("ff", new FloatFunctional());
            register("dequant", new DeQuantStub());
        }
    }

    /** Every module type of the library, for listing ops only: the tree of {@code lpot_models.py}'s OpTypesNet. */
    public static final class OpTypesNet extends ListingOnly {
        /** Creates it. */
        public OpTypesNet() {
            register("quant", new QuantStub());
            register("conv1", new Conv1d(2, 2, 1));
            register("conv2", new Conv2d(2, 2, 1));
            register("conv3", new Conv3d(2, 2, 1));
            register("bn1", new BatchNorm1d(2));
            register("bn2", new BatchNorm2d(2));
            register("bn3", new BatchNorm3d(2));
            register("relu", new ReLU());
            register("relu6", new ReLU6());
            register("drop", new Dropout());
            register("ff", new FloatFunctional());
            register("maxpool", new MaxPool2d(2));
            register("avgpool", new AvgPool2d(2));
            register("apool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("ident", new Identity());
            register("fc", new Linear(2, 2));
            register("cr1", new ConvReLU1d(new Conv1d(2, 2, 1), new ReLU()));
            register("cr2", new ConvReLU2d(new Conv2d(2, 2, 1), new ReLU()));
            register("cr3", new ConvReLU3d(new Conv3d(2, 2, 1), new ReLU()));
            register("lr", new LinearReLU(new Linear(2, 2), new ReLU()));
            register("cb", new ConvBn2d(new Conv2d(2, 2, 1), new BatchNorm2d(2)));
            register("cbr", new ConvBnReLU2d(new Conv2d(2, 2, 1), new BatchNorm2d(2), new ReLU()));
            register("seq", new Sequential(new Linear(2, 2), new ReLU(),
                    new Sequential(new Conv2d(2, 2, 1), new Dropout()), new LinearReLU(new Linear(2, 2), new ReLU())));
            register("inner", new Inner());
            register("dequant", new DeQuantStub());
        }
    }
}
