import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module; // by name: with io.qcheckpoint.nn.*, Module would clash with java.lang.Module
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;

/**
 * The float model that LPOT v1.5 tuned into {@code checkpoint/}, written in Java: PyTorch's
 * {@code dequant(fc(flatten(pool(conv2(relu(conv(quant(x))))))))} for images [N, 3, H, W] and 10
 * classes, fused as it was before static tuning ({@code conv} + {@code relu} as one
 * {@link ConvReLU2d}, {@code relu} left an {@link Identity}), which is the tree the checkpoint's keys
 * follow. {@code fp32_weights.pt} holds its float weights.
 *
 * <p>{@code bin/qcheckpoint run --model RefNet} creates it by name, so it is public, in no package,
 * and has a public no-argument constructor.
 */
public class RefNet extends Module {
    /** Registers the children in the order the PyTorch model assigns them: the state dict's key order. */
    public RefNet() {
        register("quant", new QuantStub());
        register("conv", new ConvReLU2d(new Conv2d(3, 4, 3), new ReLU()));
        register("relu", new Identity());
        register("conv2", new Conv2d(4, 4, 1));
        register("pool", new AdaptiveAvgPool2d(1));
        register("fc", new Linear(4, 10));
        register("dequant", new DeQuantStub());
    }

    /**
     * Runs the model; the children are looked up by name, as converting to int8 swaps them.
     *
     * @param x images [N, 3, H, W], H and W at least 3
     * @return the logits [N, 10]
     */
    @Override
    public NDArray forward(NDArray x) {
        NDArray y = call("pool", call("conv2", call("relu", call("conv", call("quant", x)))));
        return call("dequant", call("fc", y.reshape(y.getShape().get(0), -1)));
    }
}
