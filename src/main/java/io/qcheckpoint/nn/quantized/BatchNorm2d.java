package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.pt.DType;

/**
 * Quantized 2-d batch norm (eval), as torch's {@code nn.quantized.BatchNorm2d} (version 2).
 * State dict: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var},
 * {@code num_batches_tracked}, {@code scale}, {@code zero_point}.
 */
public class BatchNorm2d extends QuantizedModule {
    private final double eps;

    /**
     * Creates the layer from float statistics; the arrays become the module's.
     *
     * @param weight gamma, float32 [C]
     * @param bias beta, float32 [C]
     * @param runningMean float32 [C]
     * @param runningVar float32 [C]
     * @param numBatchesTracked int64 0-d
     * @param eps the epsilon
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    public BatchNorm2d(NDArray weight, NDArray bias, NDArray runningMean, NDArray runningVar, NDArray numBatchesTracked,
            double eps, double scale, long zeroPoint) {
        super(scale, zeroPoint);
        this.eps = eps;
        registerParameter("weight", weight);
        registerParameter("bias", bias);
        registerBuffer("running_mean", runningMean);
        registerBuffer("running_var", runningVar);
        registerBuffer("num_batches_tracked", numBatchesTracked);
    }

    @Override
    protected int version() {
        return 2;
    }

    /** torch registers {@code scale} as {@code torch.tensor([1.0])} and {@code zero_point} as an int32 [1] buffer. */
    @Override
    protected long[] qparamsShape() {
        return new long[] {1};
    }

    @Override
    protected DType zeroPointDType() {
        return DType.INT32;
    }

    /** Returns the epsilon. */
    public double eps() {
        return eps;
    }

    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.batchNorm2d(input, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), eps, outputQParams());
    }
}
