package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.nn.ForwardChecks;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.pt.DType;

/**
 * Quantizes its float input per tensor, as torch's {@code nn.quantized.Quantize} (a converted
 * {@code QuantStub}). State dict: {@code scale} float32 [1], {@code zero_point} int64 [1].
 */
public class Quantize extends QuantizedModule {
    private final DType dtype;

    /**
     * Creates the module.
     *
     * @param scale the scale
     * @param zeroPoint the zero point
     * @param dtype {@link DType#QUINT8}, {@link DType#QINT8} or {@link DType#QINT32}
     */
    public Quantize(double scale, long zeroPoint, DType dtype) {
        super(scale, zeroPoint);
        if (!dtype.isQuantized()) {
            throw new IllegalArgumentException("Quantize needs a quantized dtype, not " + dtype);
        }
        this.dtype = dtype;
    }

    /** Returns the quantized dtype of the output. */
    public DType dtype() {
        return dtype;
    }

    @Override
    protected DType outputDType() {
        return dtype;
    }

    /**
     * Quantizes the input.
     *
     * @param input a float32 tensor
     * @return the quantized tensor, owned by the input's manager
     * @throws ForwardException if the input is not float32 (libtorch quantizes nothing else)
     */
    @Override
    public NDArray forward(NDArray input) {
        ForwardChecks.dtype(this, input, DataType.FLOAT32);
        return QuantizedKernels.quantizePerTensor(input, outputQParams(), dtype);
    }

    @Override
    protected long[] qparamsShape() {
        return new long[] {1};
    }
}
