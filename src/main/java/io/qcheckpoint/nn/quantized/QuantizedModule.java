package io.qcheckpoint.nn.quantized;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.qcheckpoint.kernels.QParams;
import io.qcheckpoint.nn.LoadContext;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Storage;
import io.qcheckpoint.pt.Tensor;

/**
 * A quantized module with an output scale and zero point, kept as boxed {@link QParams} and saved
 * as torch saves them: {@code scale} (float32) and {@code zero_point} (int64), 0-d unless a
 * subclass says otherwise.
 */
public abstract class QuantizedModule extends Module {
    private QParams output;

    /**
     * Creates the module with its output qparams.
     *
     * @param scale the output scale
     * @param zeroPoint the output zero point
     */
    protected QuantizedModule(double scale, long zeroPoint) {
        this.output = new QParams(scale, zeroPoint);
    }

    /** Returns the output scale and zero point. */
    public QParams outputQParams() {
        return output;
    }

    /** Returns the output scale, as torch's {@code module.scale}. */
    public double scale() {
        return output.scale();
    }

    /** Returns the output zero point, as torch's {@code module.zero_point}. */
    public long zeroPoint() {
        return output.zeroPoint();
    }

    /** Returns the shape torch gives the saved qparams: 0-d ({@code torch.tensor(self.scale)}). */
    protected long[] qparamsShape() {
        return new long[0];
    }

    /** Writes parameters and buffers, then {@link #saveWeights}, then {@code scale} and {@code zero_point}. */
    @Override
    protected void saveToStateDict(StateDict dest, String prefix) {
        super.saveToStateDict(dest, prefix);
        saveWeights(dest, prefix);
        saveQParams(dest, prefix);
    }

    /** Stages parameters and buffers, {@link #stageWeights}, and the output qparams. */
    @Override
    protected Runnable loadFromStateDict(LoadContext ctx, String prefix) {
        Runnable own = super.loadFromStateDict(ctx, prefix);
        Runnable weights = stageWeights(ctx, prefix);
        QParams q = stageQParams(ctx, prefix);
        return () -> {
            own.run();
            weights.run();
            setOutputQParams(q);
        };
    }

    /**
     * Writes entries that torch saves before the qparams (a convolution's weight and bias).
     *
     * @param dest the state dict
     * @param prefix the module's path with a trailing dot
     */
    protected void saveWeights(StateDict dest, String prefix) {
    }

    /**
     * Stages what {@link #saveWeights} writes.
     *
     * @param ctx the load in progress
     * @param prefix the module's path with a trailing dot
     * @return the action that installs the staged entries
     */
    protected Runnable stageWeights(LoadContext ctx, String prefix) {
        return () -> { };
    }

    /** Returns the quantized dtype of the output, whose range the zero point must lie in: quint8, as torch's x86 kernels give. */
    protected DType outputDType() {
        return DType.QUINT8;
    }

    /** Returns the dtype torch gives the saved zero point: int64, except where a buffer says otherwise. */
    protected DType zeroPointDType() {
        return DType.INT64;
    }

    /** Writes {@code scale} and {@code zero_point} under {@code prefix}. */
    private void saveQParams(StateDict dest, String prefix) {
        dest.put(prefix + "scale", Tensor.fromFloats(new float[] {(float) output.scale()}, qparamsShape()));
        Tensor zp = Tensor.fromLongs(new long[] {output.zeroPoint()}, qparamsShape());
        if (zeroPointDType() == DType.INT32) {
            ByteBuffer b = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0,
                    Math.toIntExact(output.zeroPoint()));
            zp = Tensor.contiguous(Storage.wrap(DType.INT32, b), qparamsShape());
        }
        dest.put(prefix + "zero_point", zp);
    }

    /**
     * Reads {@code scale} and {@code zero_point} as torch does ({@code float(t)}, {@code int(t)}).
     *
     * @return the staged qparams, freed if the load fails; null when either is missing or malformed
     */
    private QParams stageQParams(LoadContext ctx, String prefix) {
        Tensor scale = ctx.tensor(prefix + "scale");
        Tensor zeroPoint = ctx.tensor(prefix + "zero_point");
        if (scale == null || zeroPoint == null) {
            return null;
        }
        if (scale.numel() != 1 || zeroPoint.numel() != 1 || scale.dtype().isQuantized() || zeroPoint.dtype().isQuantized()) {
            ctx.error("'" + prefix + "scale' and '" + prefix + "zero_point' must be one number each");
            return null;
        }
        double s = scale.toDoubleArray()[0];
        long zp = zeroPoint.toLongArray()[0];
        String problem = QParamsCheck.scale("'" + prefix + "scale'", s);
        problem = problem != null ? problem : QParamsCheck.zeroPoint("'" + prefix + "zero_point'", zp, outputDType());
        if (problem != null) {
            ctx.error(problem);
            return null;
        }
        QParams q = new QParams(s, zp);
        ctx.discardOnFailure(q);
        return q;
    }

    /** Installs new output qparams, freeing the old ones; null keeps them. */
    private void setOutputQParams(QParams q) {
        if (q != null) {
            QParams old = output;
            output = q;
            old.close();
        }
    }

    @Override
    protected void afterCopy() {
        super.afterCopy();
        output = new QParams(output.scale(), output.zeroPoint());
    }

    @Override
    protected void closeOwn() {
        output.close();
        super.closeOwn();
    }
}
