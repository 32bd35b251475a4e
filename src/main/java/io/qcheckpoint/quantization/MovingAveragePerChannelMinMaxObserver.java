package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/** torch's {@code MovingAveragePerChannelMinMaxObserver}: per-channel min and max as moving averages. */
public final class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
    /**
     * Creates the observer.
     *
     * @param axis the channel dimension
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme a per-channel qscheme
     * @param reduceRange whether the range is halved
     * @param averagingConstant the weight of each new batch, torch's default 0.01
     */
    public MovingAveragePerChannelMinMaxObserver(int axis, DType dtype, QScheme qscheme, boolean reduceRange,
            float averagingConstant) {
        super(axis, dtype, qscheme, reduceRange, averagingConstant);
    }
}
