package io.qcheckpoint.lpot;

import io.qcheckpoint.config.Algorithm;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.Granularity;
import io.qcheckpoint.config.OpConfig;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.QuantDType;
import io.qcheckpoint.config.Scheme;
import io.qcheckpoint.config.TensorConfig;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.quantization.ObserverSpec;
import io.qcheckpoint.quantization.QConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-op qconfigs from an LPOT tune config, as LPOT's {@code _cfg_to_qconfig} and {@code _observer}:
 * minmax + per_channel is PerChannelMinMax, minmax + per_tensor MinMax, kl Histogram (per tensor);
 * sym/asym/asym_float choose the qscheme; int8 is qint8, uint8 quint8; {@code reduce_range} only
 * for asym, and only when asked for (LPOT: {@code REDUCE_RANGE}, on CPUs without VNNI, see
 * {@link CpuInfo}). The dynamic approach uses torch's default dynamic activation observer.
 */
final class LpotQConfigs {
    private static final Map<QuantDType, DType> DTYPES = Map.of(QuantDType.INT8, DType.QINT8, QuantDType.UINT8, DType.QUINT8);

    private LpotQConfigs() {
    }

    /**
     * Returns each op's qconfig, null for an fp32 op, in config order.
     *
     * @param cfg the tune config
     * @param approach its approach
     * @param reduceRange LPOT's {@code REDUCE_RANGE}: asymmetric observers quantize to 7 bits
     * @param file the config's file, for messages
     * @return op path to qconfig (null values for fp32 ops)
     * @throws CheckpointFormatException if an op's settings are not ones LPOT writes
     */
    static Map<String, QConfig> opConfigs(TuneConfig cfg, Approach approach, boolean reduceRange, String file)
            throws CheckpointFormatException {
        Map<String, QConfig> out = new LinkedHashMap<>();
        for (Map.Entry<OpKey, OpConfig> e : cfg.ops().entrySet()) {
            OpConfig op = e.getValue();
            String where = "op " + e.getKey();
            if (op.isFp32()) {
                out.put(e.getKey().name(), null);
                continue;
            }
            ObserverSpec activation = approach == Approach.POST_TRAINING_DYNAMIC_QUANT
                    ? QConfig.dynamic(DType.QINT8).activation()
                    : observer(op.activation(), reduceRange, file, where + " activation");
            ObserverSpec weight = op.weight().isPresent()
                    ? observer(op.weight().get(), reduceRange, file, where + " weight") : null;
            out.put(e.getKey().name(), new QConfig(activation, weight));
        }
        return out;
    }

    private static ObserverSpec observer(TensorConfig t, boolean reduceRange, String file, String where)
            throws CheckpointFormatException {
        DType dtype = t.dtypeKind().map(DTYPES::get).orElse(null);
        Scheme scheme = t.schemeKind().orElse(null);
        Granularity granularity = t.granularityKind().orElse(Granularity.PER_TENSOR);
        Algorithm algorithm = t.algorithmKind().orElse(null);
        if (dtype == null || scheme == null || algorithm == null) {
            throw new CheckpointFormatException(file, where + ": expected dtype int8|uint8, scheme sym|asym|asym_float and"
                    + " algorithm minmax|kl|placeholder, got " + t.entries());
        }
        if (algorithm == Algorithm.PLACEHOLDER) {
            return new ObserverSpec(ObserverSpec.Kind.PLACEHOLDER, dtype, QScheme.PER_TENSOR_AFFINE, false);
        }
        boolean perChannel = granularity == Granularity.PER_CHANNEL;
        if (algorithm == Algorithm.KL && perChannel) {
            throw new CheckpointFormatException(file, where + ": kl (HistogramObserver) is per_tensor only");
        }
        ObserverSpec.Kind kind = algorithm == Algorithm.KL ? ObserverSpec.Kind.HISTOGRAM
                : perChannel ? ObserverSpec.Kind.PER_CHANNEL_MIN_MAX : ObserverSpec.Kind.MIN_MAX;
        // LPOT's _observer: reduce_range=(REDUCE_RANGE and scheme == 'asym')
        return new ObserverSpec(kind, dtype, qscheme(scheme, perChannel, file, where),
                reduceRange && scheme == Scheme.ASYM);
    }

    private static QScheme qscheme(Scheme scheme, boolean perChannel, String file, String where)
            throws CheckpointFormatException {
        return switch (scheme) {
            case SYM -> perChannel ? QScheme.PER_CHANNEL_SYMMETRIC : QScheme.PER_TENSOR_SYMMETRIC;
            case ASYM -> perChannel ? QScheme.PER_CHANNEL_AFFINE : QScheme.PER_TENSOR_AFFINE;
            case ASYM_FLOAT -> {
                if (!perChannel) {
                    throw new CheckpointFormatException(file, where + ": asym_float is per_channel only");
                }
                yield QScheme.PER_CHANNEL_AFFINE_FLOAT_QPARAMS;
            }
        };
    }
}
