package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/**
 * A pure-Java port of PyTorch 1.13's {@code torch.ao.quantization.HistogramObserver}, reproducing
 * its results bit for bit.
 *
 * <p>torch computes almost everything here on float32 tensors, but a few intermediate values are
 * Python floats (doubles), e.g. the bin widths of {@code _compute_quantization_error}, which come
 * from {@code .item()}. Each step below uses the precision torch uses at that point, so the code
 * deliberately mixes {@code float} and {@code double}. Two torch 1.13 quirks are kept on purpose:
 * {@code torch.histc} is given {@code int(min)} and {@code int(max)} (truncated toward zero), so
 * values outside that integer range are left out of the histogram, and float sums follow the
 * order of ATen's vectorized cascade sum (AVX2 kernels, 8 lanes).
 *
 * <p>Not thread safe.
 */
public final class HistogramObserver extends UniformObserver {
    /** Vectorized&lt;float&gt;::size() of the ATen kernels torch 1.13 picks on AVX2 machines. */
    private static final int SUM_LANES = 8;
    /** 2 ** torch.iinfo(dtype).bits: the grid the search quantizes onto, regardless of reduce_range. */
    private static final int DST_NBINS = 256;

    private final int bins;
    private final int upsampleRate;

    private float[] histogram;
    private float minVal = Float.POSITIVE_INFINITY;
    private float maxVal = Float.NEGATIVE_INFINITY;

    /**
     * Creates an observer with torch's defaults, 2048 bins and an upsample rate of 128.
     *
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme {@link QScheme#PER_TENSOR_AFFINE} or {@link QScheme#PER_TENSOR_SYMMETRIC}
     * @param reduceRange whether to halve the quantized range, as torch's {@code reduce_range}
     * @throws IllegalArgumentException for other dtypes or schemes, as torch
     */
    public HistogramObserver(DType dtype, QScheme qscheme, boolean reduceRange) {
        this(2048, 128, dtype, qscheme, reduceRange);
    }

    /**
     * Creates an observer.
     *
     * @param bins the number of histogram bins ({@code bins})
     * @param upsampleRate the upsampling factor used to merge histograms of different ranges
     *     ({@code upsample_rate})
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme {@link QScheme#PER_TENSOR_AFFINE} or {@link QScheme#PER_TENSOR_SYMMETRIC}
     * @param reduceRange whether to halve the quantized range, as torch's {@code reduce_range}
     * @throws IllegalArgumentException for other dtypes or schemes, or a non-positive count
     */
    public HistogramObserver(int bins, int upsampleRate, DType dtype, QScheme qscheme, boolean reduceRange) {
        super(dtype, qscheme, reduceRange);
        if (qscheme != QScheme.PER_TENSOR_AFFINE && qscheme != QScheme.PER_TENSOR_SYMMETRIC) {
            throw new IllegalArgumentException(
                    "HistogramObserver's qscheme only supports per_tensor_symmetric and per_tensor_affine, not "
                            + qscheme);
        }
        if (bins <= 0 || upsampleRate <= 0) {
            throw new IllegalArgumentException("bins and upsampleRate must be positive");
        }
        this.bins = bins;
        this.upsampleRate = upsampleRate;
        this.histogram = new float[bins];
    }

    /**
     * Records one batch, as one call of torch's {@code forward}.
     *
     * <p>An empty batch is ignored. A NaN or infinite value makes torch fail when it converts the
     * range to a Python int, after it has already stored the range on a first batch; this observer
     * fails the same way, and, like torch's, stays unusable afterwards.
     *
     * @param values the batch's values, in any order
     * @param shape ignored: the histogram covers the whole tensor
     * @throws IllegalArgumentException where torch raises (NaN or infinite values)
     */
    @Override
    public void observe(float[] values, long[] shape) {
        if (values.length == 0) {
            return;
        }
        float[] mm = aminmax(values);
        boolean sameValues = minVal == maxVal;
        boolean uninitialized = minVal == Float.POSITIVE_INFINITY && maxVal == Float.NEGATIVE_INFINITY;
        if (uninitialized || sameValues) {
            // torch stores the range before int(min) raises, so a bad batch poisons the state as there.
            minVal = mm[0];
            maxVal = mm[1];
            histogram = histc(values, pyInt(minVal), pyInt(maxVal));
            return;
        }
        float combinedMin = minimum(mm[0], minVal);
        float combinedMax = maximum(mm[1], maxVal);
        // _adjust_min_max: float32 tensor arithmetic throughout.
        float histBinWidth = (maxVal - minVal) / (float) (bins * upsampleRate);
        float widthPerBin = (float) bins * histBinWidth;
        double ceil = Math.ceil((combinedMax - combinedMin) / widthPerBin);
        int downsampleRate = (int) pyInt(ceil);
        float e = (float) downsampleRate * widthPerBin - (combinedMax - combinedMin);
        combinedMax = combinedMax + e;
        int startIdx = (int) pyInt(Math.rint((minVal - combinedMin) / histBinWidth));

        float[] combined = histc(values, pyInt(combinedMin), pyInt(combinedMax));
        if (combinedMin == minVal && combinedMax == maxVal) {
            for (int i = 0; i < bins; i++) {
                combined[i] += histogram[i];
            }
        } else {
            combineHistograms(combined, histogram, downsampleRate, startIdx);
        }
        histogram = combined;
        minVal = combinedMin;
        maxVal = combinedMax;
    }

    /**
     * Returns what torch's {@code calculate_qparams()} returns after the same batches: the scale
     * and zero point of the range the L2 search picks from the histogram.
     *
     * @return the scale (float32, as torch's) and zero point; {@code (1.0, 0)} before any batch
     * @throws IllegalStateException where torch's min &le; max assertion fails (after NaN input)
     */
    @Override
    public ObservedQParams calculateQParams() {
        if (minVal == Float.POSITIVE_INFINITY && maxVal == Float.NEGATIVE_INFINITY) {
            return qparams(new float[0], new float[0], -1);
        }
        if (Float.isNaN(minVal) || Float.isNaN(maxVal)) {
            // torch would grind through the search on NaNs and then fail check_min_max_valid.
            throw new IllegalStateException("min " + minVal + " should be less than max " + maxVal);
        }
        float[] range = nonLinearParamSearch();
        if (!(range[0] <= range[1])) {
            throw new IllegalStateException("min " + range[0] + " should be less than max " + range[1]);
        }
        return qparams(new float[] {range[0]}, new float[] {range[1]}, -1);
    }

    /** torch.aminmax, whose min and max both become NaN when any value is NaN. */
    private static float[] aminmax(float[] values) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            if (Float.isNaN(v)) {
                return new float[] {Float.NaN, Float.NaN};
            }
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new float[] {min, max};
    }

    /** torch.min(a, b) on tensors, i.e. minimum, which propagates NaN. */
    private static float minimum(float a, float b) {
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.min(a, b);
    }

    /** torch.max(a, b) on tensors, i.e. maximum, which propagates NaN. */
    private static float maximum(float a, float b) {
        return Float.isNaN(a) || Float.isNaN(b) ? Float.NaN : Math.max(a, b);
    }

    /** Python's int(x): truncation toward zero, raising where Python raises. */
    private static long pyInt(double x) {
        if (Double.isNaN(x)) {
            throw new IllegalArgumentException("cannot convert float NaN to integer (as torch's HistogramObserver)");
        }
        if (Double.isInfinite(x)) {
            throw new IllegalArgumentException(
                    "cannot convert float infinity to integer (as torch's HistogramObserver)");
        }
        return (long) x;
    }

    /**
     * torch.histc(x, bins, min, max) on CPU in 1.13: ATen's histogramdd kernel with linear
     * interpolation and no local search, so the bin is a float32 division, not a comparison
     * with the linspace edges.
     */
    private float[] histc(float[] values, long min, long max) {
        double left = min;
        double right = max;
        if (left == right) {
            float[] mm = aminmax(values);
            left = mm[0];
            right = mm[1];
        }
        if (left == right) {
            left -= 1;
            right += 1;
        }
        // Only linspace's end points matter; both are the float casts of the double edges.
        float leftEdge = (float) left;
        float rightEdge = (float) right;
        float span = rightEdge - leftEdge;
        float[] hist = new float[bins];
        for (float elt : values) {
            if (!(elt >= leftEdge && elt <= rightEdge)) {
                continue;
            }
            long pos = (long) ((elt - leftEdge) * (float) bins / span);
            if (pos == bins) {
                pos -= 1;
            }
            hist[(int) pos] += 1f;
        }
        return hist;
    }

    /**
     * _combine_histograms: adds the old histogram, upsampled and moved onto the new range, into
     * {@code orig}. torch builds a zero-padded array of {@code bins * downsampleRate} and a double
     * cumsum of it; padding zeros do not change a running sum, so only the upsampled part is
     * walked, in the same order, which keeps the doubles identical without the memory.
     */
    private void combineHistograms(float[] orig, float[] old, int downsampleRate, int startIdx) {
        long outLen = (long) bins * downsampleRate;
        long upLen = (long) bins * upsampleRate;
        long sliceEnd = Math.min(outLen, startIdx + upLen);
        if (sliceEnd - startIdx != upLen) {
            // Python's slice assignment fails the same way when the slice is shorter.
            throw new IllegalStateException("The expanded size of the tensor (" + Math.max(0, sliceEnd - startIdx)
                    + ") must match the existing size (" + upLen + ")");
        }
        double running = 0;
        long next = startIdx; // next upsampled position not yet added
        double previous = 0;
        for (int k = 0; k < bins; k++) {
            long p = (long) (downsampleRate - 1) + (long) k * downsampleRate;
            long last = Math.min(p, startIdx + upLen - 1);
            for (; next <= last; next++) {
                running += old[(int) ((next - startIdx) / upsampleRate)];
            }
            double integral = running;
            // torch copies the shifted integral into a float32 tensor before subtracting.
            float shifted = k == 0 ? 0f : (float) previous;
            double interpolated = (integral - shifted) / upsampleRate;
            orig[k] = orig[k] + (float) interpolated;
            previous = integral;
        }
    }

    /** _non_linear_param_search: the L2-minimizing [min, max] on the histogram's bin grid. */
    private float[] nonLinearParamSearch() {
        float binWidth = (maxVal - minVal) / (float) bins;
        double total = cascadeSum(histogram);
        // torch.cumsum on CPU accumulates floats in double and stores floats.
        float[] cSum = new float[bins];
        double acc = 0;
        for (int i = 0; i < bins; i++) {
            acc += histogram[i];
            cSum[i] = (float) acc;
        }
        double stepsize = 1e-5;
        double alpha = 0.0;
        double beta = 1.0;
        int startBin = 0;
        int endBin = bins - 1;
        double normMin = Double.POSITIVE_INFINITY;
        while (alpha < beta) {
            double nextAlpha = alpha + stepsize;
            double nextBeta = beta - stepsize;
            // Tensor-vs-Python-float comparisons cast the Python float to float32.
            float lowBound = (float) (nextAlpha * total);
            float highBound = (float) (nextBeta * total);
            int l = startBin;
            int r = endBin;
            while (l < endBin && cSum[l] < lowBound) {
                l++;
            }
            while (r > startBin && cSum[r] > highBound) {
                r--;
            }
            int nextStartBin = startBin;
            int nextEndBin = endBin;
            if ((l - startBin) > (endBin - r)) {
                nextStartBin = l;
                alpha = nextAlpha;
            } else {
                nextEndBin = r;
                beta = nextBeta;
            }
            if (nextStartBin == startBin && nextEndBin == endBin) {
                continue;
            }
            double norm = quantizationError(nextStartBin, nextEndBin);
            if (norm > normMin) {
                break;
            }
            normMin = norm;
            startBin = nextStartBin;
            endBin = nextEndBin;
        }
        float newMin = minVal + binWidth * (float) startBin;
        float newMax = minVal + binWidth * (float) (endBin + 1);
        return new float[] {newMin, newMax};
    }

    /**
     * _compute_quantization_error with _get_norm inlined: the widths are Python doubles, cast to
     * float32 where they meet tensors; every tensor op rounds to float32 on its own.
     */
    private double quantizationError(int nextStartBin, int nextEndBin) {
        double binWidthD = ((double) maxVal - (double) minVal) / bins;
        double dstBinWidthD = binWidthD * (nextEndBin - nextStartBin + 1) / DST_NBINS;
        if (dstBinWidthD == 0.0) {
            return 0.0;
        }
        float bw = (float) binWidthD;
        float dbw = (float) dstBinWidthD;
        float half = (float) (dstBinWidthD / 2);
        float negHalf = (float) (-dstBinWidthD / 2);
        float lastDst = DST_NBINS - 1;
        // _get_norm(tensor(-w/2), tensor(w/2), density) without density: a 0-dim float32 value.
        float fullBinNorm = (half * half * half - negHalf * negHalf * negHalf) / 3f;
        float[] norm = new float[bins];
        for (int i = 0; i < bins; i++) {
            float begin = (float) (i - nextStartBin) * bw;
            float end = begin + bw;
            float dstOfBegin = clamp(divFloor(begin, dbw), 0f, lastDst);
            float dstOfBeginCenter = (dstOfBegin + 0.5f) * dbw;
            float dstOfEnd = clamp(divFloor(end, dbw), 0f, lastDst);
            float density = histogram[i] / bw;

            float n = 0f;
            float db = begin - dstOfBeginCenter;
            n += density * ((half * half * half - db * db * db) / 3f);
            n += (dstOfEnd - dstOfBegin - 1f) * (density * fullBinNorm);
            float dstOfEndCenter = dstOfEnd * dbw + half;
            float de = end - dstOfEndCenter;
            n += density * ((de * de * de - negHalf * negHalf * negHalf) / 3f);
            norm[i] = n;
        }
        return cascadeSum(norm);
    }

    /** torch.clamp with scalar bounds, which keeps NaN. */
    private static float clamp(float v, float lo, float hi) {
        if (Float.isNaN(v)) {
            return v;
        }
        return Math.min(Math.max(v, lo), hi);
    }

    /** c10's div_floor_floating: torch.div(..., rounding_mode='floor') as Python's //. */
    private static float divFloor(float a, float b) {
        if (b == 0f) {
            return a / b;
        }
        float mod = a % b; // Java's float remainder is C's fmod
        float div = (a - mod) / b;
        if (mod != 0f && (b < 0f) != (mod < 0f)) {
            div -= 1f;
        }
        float floordiv;
        if (div != 0f) {
            floordiv = (float) Math.floor(div);
            if (div - floordiv > 0.5f) {
                floordiv += 1f;
            }
        } else {
            floordiv = Math.copySign(0f, a / b);
        }
        return floordiv;
    }

    /**
     * torch.sum of a contiguous float32 vector on CPU: ATen's vectorized_inner_sum, float
     * accumulators in {@link #SUM_LANES}-wide vectors, four interleaved rows, each cascaded over
     * four levels (row_sum / multi_row_sum), then the tail and the lanes added in order. The
     * order decides the last bits, and the search compares these sums.
     */
    static float cascadeSum(float[] x) {
        int n = x.length;
        int w = SUM_LANES;
        if (n < w) {
            float s = 0f;
            for (float v : x) {
                s += v;
            }
            return s;
        }
        int vecSize = n / w;
        int sizeIlp = vecSize / 4;
        int levelPower = Math.max(4, ceilLog2(sizeIlp) / 4);
        int levelStep = 1 << levelPower;
        int levelMask = levelStep - 1;
        float[][][] acc = new float[4][4][w];
        int i = 0;
        while (i + levelStep <= sizeIlp) {
            for (int j = 0; j < levelStep; j++, i++) {
                for (int k = 0; k < 4; k++) {
                    addVec(acc[k][0], x, (i * 4 + k) * w);
                }
            }
            for (int j = 1; j < 4; j++) {
                for (int k = 0; k < 4; k++) {
                    for (int lane = 0; lane < w; lane++) {
                        acc[k][j][lane] += acc[k][j - 1][lane];
                        acc[k][j - 1][lane] = 0f;
                    }
                }
                int mask = levelMask << (j * levelPower);
                if ((i & mask) != 0) {
                    break;
                }
            }
        }
        for (; i < sizeIlp; i++) {
            for (int k = 0; k < 4; k++) {
                addVec(acc[k][0], x, (i * 4 + k) * w);
            }
        }
        for (int j = 1; j < 4; j++) {
            for (int k = 0; k < 4; k++) {
                for (int lane = 0; lane < w; lane++) {
                    acc[k][0][lane] += acc[k][j][lane];
                }
            }
        }
        float[] partial = acc[0][0];
        for (int v = sizeIlp * 4; v < vecSize; v++) {
            addVec(partial, x, v * w);
        }
        for (int k = 1; k < 4; k++) {
            for (int lane = 0; lane < w; lane++) {
                partial[lane] += acc[k][0][lane];
            }
        }
        float finalAcc = 0f;
        for (int k = vecSize * w; k < n; k++) {
            finalAcc += x[k];
        }
        for (int lane = 0; lane < w; lane++) {
            finalAcc += partial[lane];
        }
        return finalAcc;
    }

    private static void addVec(float[] acc, float[] x, int offset) {
        for (int lane = 0; lane < acc.length; lane++) {
            acc[lane] += x[offset + lane];
        }
    }

    /** c10::utils::CeilLog2, which is 0 for 0 and 1. */
    private static int ceilLog2(int x) {
        if (x <= 2) {
            return x <= 1 ? 0 : 1;
        }
        return 32 - Integer.numberOfLeadingZeros(x - 1);
    }
}
