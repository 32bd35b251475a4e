package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import java.util.Objects;

/**
 * How one module is quantized, as torch's {@code QConfig(activation, weight)}: the observers of
 * its output and of its weight.
 *
 * @param activation the output (activation) observer
 * @param weight the weight observer
 */
public record QConfig(ObserverSpec activation, ObserverSpec weight) {
    /**
     * LPOT's qconfig for a {@code DeQuantStub} the config does not list (torch 1.8+): MinMax
     * activations ({@code reduce_range} as given), per-channel symmetric qint8 weights.
     *
     * @param reduceRange whether activations use 7 bits
     * @return the qconfig
     */
    public static QConfig dequantStubDefault(boolean reduceRange) {
        return new QConfig(new ObserverSpec(ObserverSpec.Kind.MIN_MAX, DType.QUINT8, QScheme.PER_TENSOR_AFFINE, reduceRange),
                perChannelSymmetricWeights());
    }

    /** torch's {@code default_qconfig}-like static config: quint8 MinMax activations, per-channel qint8 weights. */
    public static QConfig staticDefault() {
        return dequantStubDefault(false);
    }

    /**
     * torch's {@code default_dynamic_qconfig} ({@code qint8}) or {@code float16_dynamic_qconfig}.
     *
     * @param weightDtype {@link DType#QINT8} or {@link DType#FLOAT16}
     * @return the qconfig
     */
    public static QConfig dynamic(DType weightDtype) {
        if (weightDtype == DType.FLOAT16) {
            ObserverSpec fp16 = new ObserverSpec(ObserverSpec.Kind.PLACEHOLDER, DType.FLOAT16, QScheme.PER_TENSOR_AFFINE, false);
            return new QConfig(fp16, fp16);
        }
        return new QConfig(new ObserverSpec(ObserverSpec.Kind.PLACEHOLDER, DType.QUINT8, QScheme.PER_TENSOR_AFFINE, false),
                new ObserverSpec(ObserverSpec.Kind.MIN_MAX, DType.QINT8, QScheme.PER_TENSOR_SYMMETRIC, false));
    }

    /** Checks that the activation observer is given; the weight observer may be null for weightless ops. */
    public QConfig {
        Objects.requireNonNull(activation, "activation");
    }

    private static ObserverSpec perChannelSymmetricWeights() {
        return new ObserverSpec(ObserverSpec.Kind.PER_CHANNEL_MIN_MAX, DType.QINT8, QScheme.PER_CHANNEL_SYMMETRIC, false);
    }
}
