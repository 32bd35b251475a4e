package io.qcheckpoint.pt;

import static io.qcheckpoint.pt.TorchGlobals.arg;
import static io.qcheckpoint.pt.TorchGlobals.longs;

import java.util.Map;

/**
 * torch's tensor rebuild functions ({@code torch._utils._rebuild_*}), each checking its arguments
 * and the view's bounds before anything is built.
 */
final class TensorRebuild {
    private TensorRebuild() {
    }

    /**
     * {@code _rebuild_tensor(storage, offset, size, stride)}, {@code _v2} (plus requires_grad and
     * hooks) and {@code _v3} (plus dtype, over an untyped storage).
     *
     * @param a the arguments
     * @param minArgs how many arguments the variant takes at least
     * @param dtype the v3 dtype, or null to use the storage's
     */
    static Tensor tensor(Tuple a, int minArgs, DType dtype) {
        if (a.size() < minArgs) {
            throw new IllegalArgumentException("takes at least " + minArgs + " arguments, got " + a.size());
        }
        Storage storage = arg(a, 0, Storage.class);
        Tensor t = Tensor.view(storage, dtype == null ? storage.dtype() : dtype, arg(a, 1, Long.class),
                longs(arg(a, 2, Tuple.class)), longs(arg(a, 3, Tuple.class)));
        return minArgs > 4 ? t.withRequiresGrad(arg(a, 4, Boolean.class)) : t;
    }

    /** {@code _rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad, hooks)}. */
    static Tensor qtensor(Tuple a) {
        if (a.size() < 6) {
            throw new IllegalArgumentException("takes at least 6 arguments, got " + a.size());
        }
        Storage storage = arg(a, 0, Storage.class);
        if (!storage.dtype().isQuantized()) {
            throw new IllegalArgumentException("quantized tensor over a " + storage.dtype() + " storage");
        }
        Tensor t = Tensor.view(storage, storage.dtype(), arg(a, 1, Long.class), longs(arg(a, 2, Tuple.class)),
                longs(arg(a, 3, Tuple.class)));
        return t.withQuantization(quantization(arg(a, 4, Tuple.class))).withRequiresGrad(arg(a, 5, Boolean.class));
    }

    private static Quantization quantization(Tuple q) {
        QScheme scheme = arg(q, 0, QScheme.class);
        switch (scheme) {
            case PER_TENSOR_AFFINE:
                return new Quantization.PerTensor(arg(q, 1, Double.class), arg(q, 2, Long.class));
            case PER_CHANNEL_AFFINE:
            case PER_CHANNEL_AFFINE_FLOAT_QPARAMS:
                long axis = arg(q, 3, Long.class);
                if (axis < 0 || axis > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("bad channel axis " + axis);
                }
                return new Quantization.PerChannel(arg(q, 1, Tensor.class), arg(q, 2, Tensor.class), (int) axis);
            default:
                throw new IllegalArgumentException("torch cannot serialize qscheme " + scheme.torchName());
        }
    }

    /** {@code _rebuild_parameter(data, requires_grad, hooks[, state])}. */
    static Tensor parameter(Tuple a) {
        return arg(a, 0, Tensor.class).asParameter(arg(a, 1, Boolean.class));
    }

    /** {@code _rebuild_from_type_v2(func, new_type, args, state)}: a rebuild, then the type. */
    static Tensor fromType(Tuple a) throws CheckpointException {
        TorchGlobals.Global func = arg(a, 0, TorchGlobals.Global.class);
        if (!func.name().startsWith("torch._utils._rebuild_")) {
            throw new IllegalArgumentException("cannot rebuild a tensor through " + func.name());
        }
        TorchGlobals.TensorType type = arg(a, 1, TorchGlobals.TensorType.class);
        Object built = func.call(arg(a, 2, Tuple.class));
        if (!(built instanceof Tensor t)) {
            throw new IllegalArgumentException("rebuild function did not give a tensor");
        }
        Object state = a.size() > 3 ? a.get(3) : null;
        if (state != null && !(state instanceof Map<?, ?> m && m.isEmpty())) {
            throw new IllegalArgumentException("tensors with Python attributes are not supported");
        }
        return type.parameter() ? t.asParameter(t.requiresGrad()) : t;
    }
}
