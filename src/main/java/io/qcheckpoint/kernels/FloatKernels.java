package io.qcheckpoint.kernels;

import ai.djl.ndarray.NDArray;

/**
 * libtorch's own float kernels that DJL's NDArray lacks, or computes another way, called through the op
 * library: the results are torch's to the bit on the same kernels, as imported models need.
 */
public final class FloatKernels {
    private FloatKernels() {
    }

    /**
     * {@code torch.embedding}: the rows of {@code weight} at {@code indices}.
     *
     * @param weight the [num_embeddings, dim] float table
     * @param indices int64 indices, any shape
     * @param paddingIdx torch's {@code padding_idx} (it changes only the gradient), -1 for none
     * @return indices' shape followed by dim, owned by the indices' manager
     */
    public static NDArray embedding(NDArray weight, NDArray indices, long paddingIdx) {
        try (Call c = new Call().tensor(weight).tensor(indices).i64(paddingIdx)) {
            return c.tensor("embedding", indices.getManager());
        }
    }

    /**
     * {@code torch.layer_norm} over the trailing {@code normalizedShape} dimensions.
     *
     * @param x the float input
     * @param normalizedShape the trailing dimensions to normalize over
     * @param weight the elementwise scale, of {@code normalizedShape}
     * @param bias the elementwise shift, of {@code normalizedShape}
     * @param eps added to the variance
     * @return the result, owned by the input's manager
     */
    public static NDArray layerNorm(NDArray x, long[] normalizedShape, NDArray weight, NDArray bias, double eps) {
        try (Call c = new Call().tensor(x).longs(normalizedShape).tensor(weight).tensor(bias).f64(eps)) {
            return c.tensor("layer_norm", x.getManager());
        }
    }

    /**
     * {@code torch.gelu}: exact ({@code approximate="none"}) or its tanh approximation.
     *
     * @param x the float input
     * @param tanh whether to use the tanh approximation
     * @return the result, owned by the input's manager
     */
    public static NDArray gelu(NDArray x, boolean tanh) {
        return Call.unary(tanh ? "gelu_tanh" : "gelu", x);
    }
}
