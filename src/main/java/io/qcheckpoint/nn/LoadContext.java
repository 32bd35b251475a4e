package io.qcheckpoint.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.LoadThreads;
import io.qcheckpoint.kernels.PackedParams;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One {@link Module#loadStateDict} in progress: hands each module the entries under its prefix,
 * records missing keys and bad values, and stages new arrays in a manager of its own, so that
 * nothing in the tree changes until every module has checked its entries. Weights are packed for
 * libtorch only once every entry has been checked, several at once ({@link #packLater}).
 */
public final class LoadContext {
    private final StateDict source;
    private final NDManager staging;
    private final Set<String> consumed = new HashSet<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private final List<AutoCloseable> discardOnFailure = new ArrayList<>();
    private final List<LoadThreads.Job<PackedParams>> packing = new ArrayList<>();
    private List<PackedParams> packed;

    LoadContext(StateDict source, NDManager staging) {
        this.source = source;
        this.staging = staging;
    }

    /**
     * Takes the value at {@code key}, or records it as missing.
     *
     * @param key the dotted key
     * @return the value, or null when the state dict lacks the key
     */
    public Object take(String key) {
        if (!source.entries().containsKey(key)) {
            missing.add(key);
            return null;
        }
        consumed.add(key);
        return source.get(key);
    }

    /**
     * Returns whether the state dict has {@code key} (its value may be None).
     *
     * @param key the dotted key
     * @return whether the key is present
     */
    public boolean contains(String key) {
        return source.entries().containsKey(key);
    }

    /**
     * Takes the tensor at {@code key}.
     *
     * @param key the dotted key
     * @return the tensor, or null when it is missing or not a tensor (recorded)
     */
    public Tensor tensor(String key) {
        Object v = take(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Tensor t) {
            return t;
        }
        error("'" + key + "' holds a " + v.getClass().getSimpleName() + ", expected a tensor");
        return null;
    }

    /**
     * Takes the plain tensor at {@code key} as a staged array of {@code current}'s shape and type, as
     * torch's {@code param.copy_(input_param)} would.
     *
     * @param key the dotted key
     * @param current the array it will replace
     * @return the staged array, or null when the entry is missing or does not fit (recorded)
     */
    public NDArray array(String key, NDArray current) {
        Tensor t = tensor(key);
        if (t == null) {
            return null;
        }
        // torch's copy_ would drop a complex tensor's imaginary part with only a warning; that is no float weight
        if (t.dtype().isQuantized() || t.dtype().isComplex()) {
            error("'" + key + "' is a " + t.dtype().torchName() + " tensor, expected " + current.getDataType());
            return null;
        }
        if (!Arrays.equals(t.shape(), current.getShape().getShape())) {
            error("size mismatch for '" + key + "': the state dict has " + Arrays.toString(t.shape())
                    + ", the module has " + current.getShape());
            return null;
        }
        NDArray a = TensorArrays.toNDArray(staging, t);
        return a.getDataType() == current.getDataType() ? a : a.toType(current.getDataType(), false);
    }

    /**
     * Returns the {@code _metadata} entry of the module at {@code prefix}.
     *
     * @param prefix the module's path with a trailing dot, or {@code ""} for the root
     * @return the entry, or an empty map
     */
    public Map<String, Object> metadata(String prefix) {
        String path = prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1);
        return source.metadata().getOrDefault(path, Map.of());
    }

    /** Returns the manager that owns staged arrays until they are committed. */
    public NDManager staging() {
        return staging;
    }

    /**
     * Records a problem with an entry.
     *
     * @param message one sentence naming the key
     */
    public void error(String message) {
        errors.add(message);
    }

    /**
     * Registers a native resource made while staging, to be closed if the load fails.
     *
     * @param resource the resource
     */
    public void discardOnFailure(AutoCloseable resource) {
        discardOnFailure.add(resource);
    }

    /**
     * Schedules packing weights for libtorch, which runs once every module has staged its entries
     * and none of them was refused; packing is most of a load's time, and the load runs the
     * packings on several threads.
     *
     * @param values how many values the weight holds, so that the largest are packed first
     * @param pack packs staged arrays
     * @return the packed weights, for the commit action (not before)
     */
    public Supplier<PackedParams> packLater(long values, Supplier<PackedParams> pack) {
        int i = packing.size();
        packing.add(new LoadThreads.Job<>(values, pack));
        return () -> {
            if (packed == null) {
                throw new IllegalStateException("the weights are packed only after every module has staged");
            }
            return packed.get(i);
        };
    }

    /**
     * Runs the scheduled packings; their results are discarded with the rest if the load fails later.
     *
     * @throws RuntimeException what libtorch threw for the first weight it refused (nothing packed is kept)
     */
    void pack(int threads) {
        packed = LoadThreads.runAll(packing, threads);
        discardOnFailure.addAll(packed);
    }

    List<String> missingKeys() {
        return missing;
    }

    List<String> errors() {
        return errors;
    }

    List<String> unexpectedKeys() {
        List<String> unexpected = new ArrayList<>();
        for (String k : source.keys()) {
            if (!consumed.contains(k)) {
                unexpected.add(k);
            }
        }
        return unexpected;
    }

    void discard() {
        for (AutoCloseable r : discardOnFailure) {
            try {
                r.close();
            } catch (Exception e) {
                errors.add("could not free a staged resource: " + e);
            }
        }
        discardOnFailure.clear();
    }
}
