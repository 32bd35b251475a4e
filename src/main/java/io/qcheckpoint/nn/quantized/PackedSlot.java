package io.qcheckpoint.nn.quantized;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.PackedParams;
import java.util.function.Function;

/**
 * A module's packed weights, or the {@link DeferredWeights} they are packed from on first use.
 * Thread-safe: a loaded model serves many threads, and the first of them may pack.
 */
final class PackedSlot implements AutoCloseable {
    private final Function<NDArray[], PackedParams> pack;
    private volatile PackedParams packed;
    private DeferredWeights deferred;

    private PackedSlot(Function<NDArray[], PackedParams> pack, PackedParams packed, DeferredWeights deferred) {
        this.pack = pack;
        this.packed = packed;
        this.deferred = deferred;
    }

    /** A slot holding packed weights. */
    static PackedSlot of(PackedParams packed) {
        return new PackedSlot(null, packed, null);
    }

    /** A slot that packs {@code deferred} with {@code pack} (weight, bias) on first use. */
    static PackedSlot deferred(DeferredWeights deferred, Function<NDArray[], PackedParams> pack) {
        return new PackedSlot(pack, null, deferred);
    }

    /** Returns the packed weights, packing them first if they are deferred. */
    PackedParams get() {
        PackedParams p = packed;
        return p != null ? p : packNow();
    }

    private synchronized PackedParams packNow() {
        if (packed == null) {
            try (NDManager scratch = NDManager.newBaseManager()) {
                packed = pack.apply(deferred.weightBias(scratch));
            }
            deferred.close();
            deferred = null;
        }
        return packed;
    }

    /** Installs new packed weights (a state dict's), freeing what the slot held. */
    synchronized void replace(PackedParams p) {
        close();
        packed = p;
    }

    /**
     * Returns an independent copy: deferred weights stay deferred, packed ones are unpacked and packed again.
     *
     * @param repack packs (weight, bias) for the copy's module
     * @return the copy
     */
    synchronized PackedSlot copy(Function<NDArray[], PackedParams> repack) {
        if (packed == null) {
            return deferred(deferred.copy(), repack);
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            return of(repack.apply(packed.unpack(scratch)));
        }
    }

    @Override
    public synchronized void close() {
        if (packed != null) {
            packed.close();
            packed = null;
        }
        if (deferred != null) {
            deferred.close();
            deferred = null;
        }
    }
}
