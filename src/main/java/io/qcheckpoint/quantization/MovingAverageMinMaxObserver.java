package io.qcheckpoint.quantization;

import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;

/** torch's {@code MovingAverageMinMaxObserver}: min and max as exponential moving averages (default constant 0.01). */
public final class MovingAverageMinMaxObserver extends MinMaxObserver {
    /**
     * Creates the observer.
     *
     * @param dtype {@link DType#QUINT8} or {@link DType#QINT8}
     * @param qscheme a per-tensor qscheme
     * @param reduceRange whether the range is halved
     * @param averagingConstant the weight of each new batch, torch's default 0.01
     */
    public MovingAverageMinMaxObserver(DType dtype, QScheme qscheme, boolean reduceRange, float averagingConstant) {
        super(dtype, qscheme, reduceRange, averagingConstant);
    }
}
