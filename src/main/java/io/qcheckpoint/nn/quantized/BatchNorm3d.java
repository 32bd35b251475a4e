package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.QuantizedKernels;

/**
 * Quantized 3-d batch norm (eval), as torch's {@code nn.quantized.BatchNorm3d} (version 2): the
 * state and qparams of {@link BatchNorm2d}, over [N, C, D, H, W] inputs.
 */
public class BatchNorm3d extends BatchNorm2d {
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
    public BatchNorm3d(NDArray weight, NDArray bias, NDArray runningMean, NDArray runningVar, NDArray numBatchesTracked,
            double eps, double scale, long zeroPoint) {
        super(weight, bias, runningMean, runningVar, numBatchesTracked, eps, scale, zeroPoint);
    }

    @Override
    public NDArray forward(NDArray input) {
        return QuantizedKernels.batchNorm3d(input, parameter("weight"), parameter("bias"), buffer("running_mean"),
                buffer("running_var"), eps(), outputQParams());
    }
}
