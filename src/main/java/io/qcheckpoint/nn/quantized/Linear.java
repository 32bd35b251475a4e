package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.ForwardChecks;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.pt.DType;

/**
 * Static quantized linear layer, as torch's {@code nn.quantized.Linear} (version 3): quint8 in,
 * quint8 out, qint8 weights prepacked in the child {@code _packed_params}. State dict:
 * {@code scale}, {@code zero_point}, {@code _packed_params.dtype}, {@code _packed_params._packed_params}.
 */
public class Linear extends QuantizedModule {
    /**
     * Creates the layer.
     *
     * @param weight the qint8 weight, [out, in], per tensor or per channel (axis 0)
     * @param bias the float32 bias, [out], or null
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public Linear(NDArray weight, NDArray bias, double scale, long zeroPoint) {
        this(DType.QINT8, weight, bias, scale, zeroPoint);
    }

    /**
     * Creates the layer with qint8 weights to quantize and pack on first use.
     *
     * @param weights the weights, [out, in], now owned by this layer
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public Linear(DeferredWeights weights, double scale, long zeroPoint) {
        super(scale, zeroPoint);
        register("_packed_params", new LinearPackedParams(weights));
    }

    /**
     * Creates the layer with weights packed as {@code dtype}.
     *
     * @param dtype {@link DType#QINT8} or (dynamic only) {@link DType#FLOAT16}
     * @param weight the weight, [out, in]: qint8, or float32 for float16 packing
     * @param bias the float32 bias, [out], or null
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    protected Linear(DType dtype, NDArray weight, NDArray bias, double scale, long zeroPoint) {
        super(scale, zeroPoint);
        register("_packed_params", new LinearPackedParams(dtype, weight, bias));
    }

    @Override
    protected int version() {
        return 3;
    }

    /** Returns the packed weights (the child {@code _packed_params}). */
    public LinearPackedParams packedParams() {
        return (LinearPackedParams) child("_packed_params");
    }

    /** Returns whether relu is fused into the output (true for {@link LinearReLU}). */
    protected boolean fusedRelu() {
        return false;
    }

    /**
     * Runs the int8 layer on the last dimension.
     *
     * @param input a quantized tensor [..., in]
     * @return the quantized output [..., out], owned by the input's manager
     * @throws ForwardException if the input is not quantized, or its last dimension does not fit
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.linear(this, input, packedParams().inFeatures(), DataType.UNKNOWN);
        return QuantizedKernels.linear(input, packedParams().packed(), outputQParams(), fusedRelu());
    }
}
