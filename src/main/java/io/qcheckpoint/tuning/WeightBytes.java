package io.qcheckpoint.tuning;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.Tuple;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** The bytes a model's state dict tensors take, each storage counted once: the weights file's payload. */
final class WeightBytes {
    private WeightBytes() {
    }

    /** Returns the bytes of {@code model}'s state dict tensors, per-channel qparams included. */
    static long of(Module model) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        long total = 0;
        for (Object v : model.stateDict().entries().values()) {
            total += bytes(v, seen);
        }
        return total;
    }

    private static long bytes(Object value, Set<Object> seen) {
        if (value instanceof Tensor t) {
            long n = seen.add(t.storage()) ? t.storage().nbytes() : 0;
            if (t.quantization() instanceof Quantization.PerChannel pc) {
                n += bytes(pc.scales(), seen) + bytes(pc.zeroPoints(), seen);
            }
            return n;
        }
        List<?> items = value instanceof Tuple tuple ? tuple.items() : value instanceof List<?> l ? l : List.of();
        long n = 0;
        for (Object item : items) {
            n += bytes(item, seen);
        }
        return n;
    }
}
