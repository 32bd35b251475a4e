package io.qcheckpoint.ipex;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexOpCalibration;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.nn.Module;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Calibrates a float model as LPOT's IPEX 1.x backend does and writes the list it would save
 * (FORMATS.md 4): {@code min_max} ranges of every op's float input and output over all batches,
 * turned into IPEX's multipliers, with per-channel weights. See
 * {@code IpexQuantizedModel.calibrate} for the formulas.
 */
public final class IpexCalibration {
    /** IPEX 1.x's only calibration algorithm. */
    static final String ALGORITHM = "min_max";
    /** LPOT's IPEX backend quantizes weights per output channel. */
    static final String GRANULARITY = "per_channel";
    /**
     * The multiplier of an all-zero tensor, where {@code 255 / max} would be infinite: torch scale 1,
     * the choice IpexRebuild and ipex_models.py make for all-zero weights. Any finite value
     * quantizes zeros exactly; this one keeps the file free of {@code Infinity}.
     */
    static final double ALL_ZERO_MULTIPLIER = 1.0;
    private static final double UINT8_RANGE = 255.0;
    private static final double SYMMETRIC_RANGE = 127.5;

    private IpexCalibration() {
    }

    /**
     * The outcome of a calibration: the int8 model and the list it was built from.
     *
     * @param module the float model with its calibrated ops swapped in, owned by the caller
     * @param config the calibration list
     */
    public record Result(Module module, IpexConfig config) {
    }

    /**
     * Calibrates {@code fp32} and builds the int8 model of the resulting list; see
     * {@code IpexQuantizedModel.calibrate} for the formulas. {@code fp32} is not changed.
     *
     * @param fp32 the float model, fused as IPEX fuses it
     * @param calibration the calibration inputs; the first also orders the ops
     * @param fp32Ops paths of ops to leave in float
     * @return the model and its list
     * @throws IllegalArgumentException if the data is empty, or an op in {@code fp32Ops} does not run
     */
    public static Result calibrate(Module fp32, Iterable<NDArray> calibration, Set<String> fp32Ops) {
        Objects.requireNonNull(fp32, "fp32");
        Objects.requireNonNull(fp32Ops, "fp32Ops");
        Iterator<NDArray> batches = Objects.requireNonNull(calibration, "calibration").iterator();
        if (!batches.hasNext()) {
            throw new IllegalArgumentException("the calibration data is empty: IPEX calibration needs at least one batch"
                    + " (the first one also orders the ops)");
        }
        NDArray first = batches.next();
        IpexConfig list;
        // recorders go into a copy, so fp32 is never changed, even by a failing batch
        try (Module model = fp32.copy().eval()) {
            list = list(model, first, batches, fp32Ops);
        }
        try {
            return new Result(IpexRebuild.rebuild(list, fp32, first, "calibration"), list);
        } catch (ModelMismatchException e) {
            // the list was made from this model on this input: only a forward pass that runs other ops
            // the second time gets here
            throw new IllegalStateException("the model ran other ops on the first calibration batch the second time: "
                    + e.getMessage(), e);
        }
    }

    private static IpexConfig list(Module model, NDArray first, Iterator<NDArray> batches, Set<String> fp32Ops) {
        List<String> order = new ArrayList<>();
        Map<String, Range> ranges = new HashMap<>();
        IpexRebuild.runOps(model, first, (path, in, out) -> {
            order.add(path);
            ranges.computeIfAbsent(path, p -> new Range()).add(in, out);
        });
        checkOrder(order, fp32Ops, ranges.keySet());
        for (int i = 1; batches.hasNext(); i++) {
            int batch = i;
            IpexRebuild.runOps(model, batches.next(), (path, in, out) -> {
                Range r = ranges.get(path);
                if (r == null) {
                    throw new IllegalArgumentException("calibration batch " + batch + " ran op '" + path
                            + "', which the first batch did not run; the first batch fixes the ops and their order "
                            + order);
                }
                r.add(in, out);
            });
        }
        List<IpexOpCalibration> ops = new ArrayList<>();
        for (int id = 0; id < order.size(); id++) {
            String path = order.get(id);
            Range r = ranges.get(path);
            Quant in = quant(r.inMin, r.inMax, path, "input");
            Quant out = quant(r.outMin, r.outMax, path, "output");
            ops.add(new IpexOpCalibration(id, IpexRebuild.ipexName(model.module(path)), ALGORITHM, GRANULARITY,
                    List.of(in.multiplier()), List.of(out.multiplier()), Optional.empty(), Optional.empty(),
                    List.of(in.uint8()), List.of(out.uint8()), !fp32Ops.contains(path), Map.of()));
        }
        return new IpexConfig(ops);
    }

    private static void checkOrder(List<String> order, Set<String> fp32Ops, Set<String> ops) {
        Set<String> seen = new HashSet<>();
        for (String path : order) {
            // IPEX lists every run of an op; rebuilding swaps modules by path, which cannot express two
            if (!seen.add(path)) {
                throw new IllegalArgumentException("op '" + path + "' runs more than once in one forward pass " + order
                        + "; an IPEX list built here has one entry per module");
            }
        }
        List<String> unknown = fp32Ops.stream().filter(op -> !ops.contains(op)).map(String::valueOf).sorted().toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("fp32Ops names " + unknown + ", which "
                    + (unknown.size() == 1 ? "is" : "are") + " not an op of the model; its ops, in order, are " + order);
        }
    }

    /**
     * IPEX 1.x's multiplier for a tensor observed in {@code [min, max]}: non-negative data is uint8,
     * {@code 255 / max} (zero point 0); other data is symmetric int8, {@code 127.5 / max(|min|, |max|)}.
     * Computed in float64 from the float32 range, as Python does from {@code tensor.min().item()}.
     */
    static Quant quant(float min, float max, String path, String what) {
        if (!Float.isFinite(min) || !Float.isFinite(max)) {
            throw new IllegalArgumentException("op '" + path + "': its " + what + " ranged over [" + min + ", " + max
                    + "] in calibration; IPEX multipliers need finite data");
        }
        if (min >= 0) {
            return new Quant(max == 0 ? ALL_ZERO_MULTIPLIER : UINT8_RANGE / max, true);
        }
        return new Quant(SYMMETRIC_RANGE / Math.max(Math.abs((double) min), Math.abs((double) max)), false);
    }

    /** A multiplier and whether the tensor is uint8. */
    record Quant(double multiplier, boolean uint8) {
    }

    /** The float32 min and max of an op's input and output so far (NaN, once seen, stays). */
    private static final class Range {
        private float inMin = Float.POSITIVE_INFINITY;
        private float inMax = Float.NEGATIVE_INFINITY;
        private float outMin = Float.POSITIVE_INFINITY;
        private float outMax = Float.NEGATIVE_INFINITY;

        void add(NDArray in, NDArray out) {
            inMin = Math.min(inMin, scalar(in.min()));
            inMax = Math.max(inMax, scalar(in.max()));
            outMin = Math.min(outMin, scalar(out.min()));
            outMax = Math.max(outMax, scalar(out.max()));
        }

        private static float scalar(NDArray a) {
            return a.toType(DataType.FLOAT32, false).getFloat();
        }
    }
}
