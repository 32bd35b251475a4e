package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.BatchNorm3d;
import io.qcheckpoint.nn.BatchNorm;
import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ConvNd;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Dropout;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Hardswish;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU6;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.nn.intrinsic.ConvBn2d;
import io.qcheckpoint.nn.intrinsic.ConvBnReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU1d;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU3d;
import io.qcheckpoint.nn.intrinsic.LinearReLU;
import io.qcheckpoint.nn.quantized.DeQuantize;
import io.qcheckpoint.nn.quantized.QFunctional;
import io.qcheckpoint.nn.quantized.Quantize;
import io.qcheckpoint.nn.quantized.QuantizedWeights;
import io.qcheckpoint.pt.DType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which quantized module replaces each float module type in convert, as torch's
 * {@code quantization_mappings.py}: a table from float class to factory.
 *
 * <p>The factories here build quantized modules with placeholder qparams (output scale 1, zero
 * point 0; weights quantized per tensor, symmetric, from their own range): the real values come
 * from the state dict loaded next, as in LPOT's load. Convolutions and static linear layers quantize
 * and pack their weights only when first needed ({@link ObservedWeights}), so a state dict loaded
 * before that saves the work. Immutable.
 */
public final class QuantizationMappings {
    /** Builds the quantized counterpart of one float module. */
    @FunctionalInterface
    public interface Factory {
        /**
         * Builds the quantized module, as torch's {@code from_float}; the float module is left as it is.
         *
         * @param floatModule the float module
         * @param qconfig the module's qconfig: its dtypes choose the quantized types, its weight
         *     observer the weights' qparams
         * @param output the output qparams its activation observer computed, or null for
         *     placeholders (scale 1, zero point 0) that a state dict will replace
         * @return the quantized module
         */
        Module fromFloat(Module floatModule, QConfig qconfig, ObservedQParams output);
    }

    /** The float types of torch 1.13's {@code DEFAULT_QAT_MODULE_MAPPINGS} that this library has. */
    private static final List<Class<? extends Module>> QAT_FLOAT_TYPES = List.of(Conv2d.class, Conv3d.class,
            Linear.class, ConvBn2d.class, ConvBnReLU2d.class, ConvReLU2d.class, ConvReLU3d.class, LinearReLU.class);

    private static final double PLACEHOLDER_SCALE = 1.0;
    private static final long PLACEHOLDER_ZERO_POINT = 0;

    private final Map<Class<? extends Module>, Factory> table;
    private final QConfig defaultQConfig;

    private QuantizationMappings(Map<Class<? extends Module>, Factory> table, QConfig defaultQConfig) {
        this.table = Collections.unmodifiableMap(new LinkedHashMap<>(table));
        this.defaultQConfig = defaultQConfig;
    }

    /** Returns torch's default static (post-training and QAT) mappings. */
    public static QuantizationMappings staticMappings() {
        Map<Class<? extends Module>, Factory> t = new LinkedHashMap<>();
        t.put(QuantStub.class, (m, q, o) -> new Quantize(scale(o), zeroPoint(o), q.activation().dtype()));
        t.put(DeQuantStub.class, (m, q, o) -> new DeQuantize());
        t.put(FloatFunctional.class, (m, q, o) -> new QFunctional(scale(o), zeroPoint(o)));
        t.put(ReLU6.class, (m, q, o) -> new io.qcheckpoint.nn.quantized.ReLU6());
        t.put(Hardswish.class, (m, q, o) -> new io.qcheckpoint.nn.quantized.Hardswish(scale(o), zeroPoint(o)));
        t.put(Linear.class, (m, q, o) -> staticLinear((Linear) m, false, q, o));
        t.put(LinearReLU.class, (m, q, o) -> staticLinear((Linear) m.child("0"), true, q, o));
        t.put(Conv1d.class, (m, q, o) -> conv((ConvNd) m, 1, false, q, o));
        t.put(Conv2d.class, (m, q, o) -> conv((ConvNd) m, 2, false, q, o));
        t.put(Conv3d.class, (m, q, o) -> conv((ConvNd) m, 3, false, q, o));
        t.put(ConvReLU1d.class, (m, q, o) -> conv((ConvNd) m.child("0"), 1, true, q, o));
        t.put(ConvReLU2d.class, (m, q, o) -> conv((ConvNd) m.child("0"), 2, true, q, o));
        t.put(ConvReLU3d.class, (m, q, o) -> conv((ConvNd) m.child("0"), 3, true, q, o));
        t.put(BatchNorm2d.class, (m, q, o) -> batchNorm((BatchNorm) m, 2, o));
        t.put(BatchNorm3d.class, (m, q, o) -> batchNorm((BatchNorm) m, 3, o));
        t.put(Dropout.class, (m, q, o) -> new io.qcheckpoint.nn.quantized.Dropout(((Dropout) m).p()));
        return new QuantizationMappings(t, QConfig.staticDefault());
    }

    /**
     * Returns torch's default dynamic mappings: Linear to a dynamic Linear whose weights take the
     * qconfig's weight dtype (qint8 or float16), a fused LinearReLU to a dynamic LinearReLU (qint8).
     *
     * @param defaultWeightDtype the weight dtype of {@link #defaultQConfig()}: {@link DType#QINT8} or {@link DType#FLOAT16}
     * @return the mappings
     */
    public static QuantizationMappings dynamicMappings(DType defaultWeightDtype) {
        Map<Class<? extends Module>, Factory> t = new LinkedHashMap<>();
        t.put(Linear.class, (m, q, o) -> dynamicLinear((Linear) m, q));
        t.put(LinearReLU.class, (m, q, o) -> dynamicLinearRelu((Linear) m.child("0"), q));
        return new QuantizationMappings(t, QConfig.dynamic(defaultWeightDtype));
    }

    /**
     * Returns torch 1.13's {@code get_default_qconfig_propagation_list()} as far as this library has
     * the module types: the float types of the default static, QAT and dynamic mappings, and
     * Sequential. The QAT-only ones (a ConvBn2d, ConvBnReLU2d fused for training) have no static
     * mapping, in torch or here.
     *
     * @return the types, unmodifiable
     */
    public static Set<Class<? extends Module>> qconfigPropagationList() {
        Set<Class<? extends Module>> types = new LinkedHashSet<>(staticMappings().floatTypes());
        types.addAll(QAT_FLOAT_TYPES);
        types.addAll(dynamicMappings(DType.QINT8).floatTypes());
        types.add(Sequential.class);
        return Collections.unmodifiableSet(types);
    }

    /** Returns the float types this table converts (torch's mapping keys), in table order. */
    public Set<Class<? extends Module>> floatTypes() {
        return table.keySet();
    }

    /** Returns the qconfig {@link Convert} gives selected modules when the caller names none. */
    public QConfig defaultQConfig() {
        return defaultQConfig;
    }

    /**
     * Returns a copy that maps {@code floatType} to {@code factory} (replacing any earlier entry).
     *
     * @param floatType the float module class (matched exactly, as torch matches {@code type(mod)})
     * @param factory the factory
     * @return the new mappings
     */
    public QuantizationMappings with(Class<? extends Module> floatType, Factory factory) {
        Map<Class<? extends Module>, Factory> t = new LinkedHashMap<>(table);
        t.put(floatType, factory);
        return new QuantizationMappings(t, defaultQConfig);
    }

    /**
     * Returns the factory for a float module's exact class.
     *
     * @param floatType the class
     * @return the factory, or null when the type is not quantized
     */
    public Factory factoryFor(Class<? extends Module> floatType) {
        return table.get(floatType);
    }

    private static Module staticLinear(Linear f, boolean relu, QConfig q, ObservedQParams o) {
        ObservedWeights w = new ObservedWeights(f.weight(), f.bias(), q.weight());
        return relu ? new io.qcheckpoint.nn.quantized.LinearReLU(w, scale(o), zeroPoint(o))
                : new io.qcheckpoint.nn.quantized.Linear(w, scale(o), zeroPoint(o));
    }

    private static Module dynamicLinear(Linear f, QConfig q) {
        DType dtype = q.weight() == null ? DType.QINT8 : q.weight().dtype();
        if (dtype == DType.FLOAT16) {
            return new io.qcheckpoint.nn.quantized.dynamic.Linear(dtype, f.weight(), f.bias());
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            return new io.qcheckpoint.nn.quantized.dynamic.Linear(DType.QINT8, quantizedWeight(f.weight(), q.weight(), scratch),
                    f.bias());
        }
    }

    private static Module dynamicLinearRelu(Linear f, QConfig q) {
        DType dtype = q.weight() == null ? DType.QINT8 : q.weight().dtype();
        if (dtype != DType.QINT8) {
            throw new IllegalArgumentException("a dynamic LinearReLU takes qint8 weights, not " + dtype.torchName());
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            return new io.qcheckpoint.nn.quantized.dynamic.LinearReLU(quantizedWeight(f.weight(), q.weight(), scratch),
                    f.bias());
        }
    }

    private static Module conv(ConvNd f, int dims, boolean relu, QConfig q, ObservedQParams o) {
        ObservedWeights w = new ObservedWeights(f.weight(), f.bias(), q.weight());
        long[] stride = f.stride();
        long[] padding = f.padding();
        long[] dilation = f.dilation();
        long groups = f.groups();
        double s = scale(o);
        long z = zeroPoint(o);
        return switch (dims * (relu ? -1 : 1)) {
            case 1 -> new io.qcheckpoint.nn.quantized.Conv1d(w, stride, padding, dilation, groups, s, z);
            case 2 -> new io.qcheckpoint.nn.quantized.Conv2d(w, stride, padding, dilation, groups, s, z);
            case 3 -> new io.qcheckpoint.nn.quantized.Conv3d(w, stride, padding, dilation, groups, s, z);
            case -1 -> new io.qcheckpoint.nn.quantized.ConvReLU1d(w, stride, padding, dilation, groups, s, z);
            case -2 -> new io.qcheckpoint.nn.quantized.ConvReLU2d(w, stride, padding, dilation, groups, s, z);
            default -> new io.qcheckpoint.nn.quantized.ConvReLU3d(w, stride, padding, dilation, groups, s, z);
        };
    }

    private static Module batchNorm(BatchNorm f, int dims, ObservedQParams o) {
        NDArray weight = f.parameter("weight").duplicate();
        NDArray bias = f.parameter("bias").duplicate();
        NDArray mean = f.buffer("running_mean").duplicate();
        NDArray var = f.buffer("running_var").duplicate();
        NDArray tracked = f.buffer("num_batches_tracked").duplicate();
        return dims == 3
                ? new io.qcheckpoint.nn.quantized.BatchNorm3d(weight, bias, mean, var, tracked, f.eps(), scale(o), zeroPoint(o))
                : new io.qcheckpoint.nn.quantized.BatchNorm2d(weight, bias, mean, var, tracked, f.eps(), scale(o), zeroPoint(o));
    }

    /** torch's {@code float(act_scale)}: the observer's float32 scale, or the placeholder. */
    private static double scale(ObservedQParams o) {
        return o == null ? PLACEHOLDER_SCALE : o.scale();
    }

    private static long zeroPoint(ObservedQParams o) {
        return o == null ? PLACEHOLDER_ZERO_POINT : o.zeroPoint();
    }

    /**
     * torch's {@code _quantize_weight}: the weight observer sees the weight, and its qparams quantize it
     * (per channel with float64 scales and int64 zero points); without an observer, a placeholder.
     */
    static NDArray quantizedWeight(NDArray weight, ObserverSpec spec, NDManager scratch) {
        if (spec == null || spec.kind() == ObserverSpec.Kind.PLACEHOLDER) {
            // a stand-in until the state dict is loaded
            return QuantizedWeights.symmetric(weight, false, scratch);
        }
        Observer observer = spec.create();
        observer.observe(weight);
        ObservedQParams q = observer.calculateQParams();
        if (q.axis() < 0) {
            return QuantizedWeights.perTensor(weight, q.scale(), q.zeroPoint(), spec.dtype(), scratch);
        }
        float[] observed = q.scales();
        double[] scales = new double[observed.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = observed[i];
        }
        return QuantizedWeights.perChannel(weight, scales, q.zeroPoints(), q.axis(), spec.dtype(), scratch);
    }
}
