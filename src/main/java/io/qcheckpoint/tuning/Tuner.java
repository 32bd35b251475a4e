package io.qcheckpoint.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.training.dataset.Dataset;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.config.Algorithm;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.OpConfig;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.TuneConfig;
import io.qcheckpoint.lpot.CpuInfo;
import io.qcheckpoint.lpot.LpotOps;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.pt.CheckpointException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Accuracy-driven post-training quantization with LPOT's "basic" strategy:
 * <ol>
 *   <li>evaluate the fp32 model (the baseline);</li>
 *   <li>try every op in int8 (per-channel symmetric int8 weights, asymmetric uint8 activations),
 *       calibrated with each activation algorithm in turn (minmax, then kl);</li>
 *   <li>from the best of those, measure how much quantizing disturbs each op's output and try
 *       each op in fp32 alone, most disturbed first, keeping a fallback only when it raises the
 *       score;</li>
 *   <li>then fall back the ops cumulatively, in the same order.</li>
 * </ol>
 * It stops at the first trial that meets the accuracy criterion, or at the trial or time limit
 * (the first trial always runs), and says which ({@link TuningResult#stopReason()}). Deterministic: the same model,
 * data and evaluation give the same trials and the same model. The strategy draws no random numbers,
 * and the tuner leaves the random state of DJL and libtorch as it found it: a library must not
 * reseed its caller's process (LPOT's {@code random_seed} does that in Python).
 *
 * <pre>{@code
 * Tuner tuner = Tuner.defaults().withCalibration(batches).withEvaluation(Evaluation.top1(evalSet));
 * try (TuningResult r = tuner.tune(fusedFp32Model)) {
 *     r.model().save(Path.of("checkpoint"));
 * }
 * }</pre>
 */
public final class Tuner {
    private final Approach approach;
    private final Iterable<NDArray> calibration;
    private final Evaluation evaluation;
    private final AccuracyCriterion criterion;
    private final List<Algorithm> activationAlgorithms;
    private final int maxTrials;
    private final Duration timeout;
    private final boolean reduceRange;
    private final TuningListener listener;

    private Tuner(Approach approach, Iterable<NDArray> calibration, Evaluation evaluation, AccuracyCriterion criterion,
            List<Algorithm> activationAlgorithms, int maxTrials, Duration timeout, boolean reduceRange,
            TuningListener listener) {
        this.approach = approach;
        this.calibration = calibration;
        this.evaluation = evaluation;
        this.criterion = criterion;
        this.activationAlgorithms = activationAlgorithms;
        this.maxTrials = maxTrials;
        this.timeout = timeout;
        this.reduceRange = reduceRange;
        this.listener = listener;
    }

    /**
     * Returns a tuner with LPOT's defaults: static approach, 1% relative loss, activation algorithms
     * minmax then kl, 100 trials, no time limit, reduce_range as LPOT sets it on this CPU, no listener.
     * It needs an evaluation ({@link #withEvaluation}) and, for the static approach, calibration data
     * ({@link #withCalibration(Iterable)}) before it can {@link #tune}.
     *
     * @return the tuner
     */
    public static Tuner defaults() {
        return new Tuner(Approach.POST_TRAINING_STATIC_QUANT, null, null, AccuracyCriterion.DEFAULT,
                List.of(Algorithm.MINMAX, Algorithm.KL), 100, null, CpuInfo.lpotReduceRange(), TuningListener.NONE);
    }

    /**
     * Tunes {@code fp32}, which is not changed.
     *
     * @param fp32 the float model, fused as it will be quantized, in eval mode, with its weights
     * @return the result, owning the best model
     * @throws TuningException if the model has no op to quantize, or the evaluation or data fail
     * @throws IllegalStateException if no evaluation was given, or the static approach has no
     *     calibration data
     */
    public TuningResult tune(Module fp32) {
        if (evaluation == null) {
            throw new IllegalStateException("the tuner has no evaluation: give one with withEvaluation");
        }
        if (approach != Approach.POST_TRAINING_DYNAMIC_QUANT && calibration == null) {
            throw new IllegalStateException(approach.value() + " needs calibration data: give it with withCalibration");
        }
        return new Run(fp32).run();
    }

    /** One tuning run: its trials, its best model so far and its clock. */
    private final class Run {
        private final Module fp32;
        private final List<OpKey> ops;
        private final List<Trial> trials = new ArrayList<>();
        private final long start = System.nanoTime();
        private final long calibrationBatches;
        private final long calibIteration;
        private double baseline;
        private EagerQuantizedModel bestModel;
        private Trial best;
        private StopReason stop;

        Run(Module fp32) {
            this.fp32 = fp32;
            this.ops = LpotOps.quantizableOps(fp32, approach);
            if (ops.isEmpty()) {
                throw new TuningException("the model has no op to quantize (" + approach.value() + ")");
            }
            long batches = countBatches();
            boolean dynamic = approach == Approach.POST_TRAINING_DYNAMIC_QUANT;
            this.calibrationBatches = dynamic ? 0 : batches;
            // LPOT 1.5 (TuneStrategy.__init__): calib_iteration = ceil(sampling_size / batch_size) with a
            // calibration loader, whatever the approach, else 1; here every batch is sampled
            this.calibIteration = batches > 0 ? batches : 1;
        }

        TuningResult run() {
            try {
                baseline = evaluate(fp32);
                long fp32Bytes = WeightBytes.of(fp32);
                listener.baseline(baseline, fp32Bytes);
                search();
                if (stop == null) {
                    stop = StopReason.EXHAUSTED;
                }
                listener.finished(stop, best);
                TuningResult result = new TuningResult(bestModel, best, trials, baseline, fp32Bytes, stop);
                bestModel = null;
                return result;
            } finally {
                if (bestModel != null) {
                    bestModel.close();
                }
            }
        }

        private void search() {
            List<Algorithm> algorithms = approach == Approach.POST_TRAINING_DYNAMIC_QUANT
                    ? List.of(Algorithm.MINMAX) : activationAlgorithms;
            for (Algorithm a : algorithms) {
                String change = "all ops int8" + (algorithms.size() > 1 ? " (" + a.value() + ")" : "");
                if (!tryConfig(change, allInt8(a))) {
                    return;
                }
            }
            TuneConfig modelWise = best.tuneConfig();
            List<String> order = fallbackOrder();
            TuneConfig kept = modelWise;
            double keptScore = best.score();
            for (String op : order) {
                TuneConfig candidate = withFp32(kept, op);
                if (!tryConfig(op + " to fp32", candidate)) {
                    return;
                }
                Trial last = trials.get(trials.size() - 1);
                if (last.score() > keptScore) {
                    kept = candidate;
                    keptScore = last.score();
                }
            }
            TuneConfig cumulative = modelWise;
            for (int i = 0; i < order.size(); i++) {
                cumulative = withFp32(cumulative, order.get(i));
                if (i > 0 && !tryConfig("first " + (i + 1) + " ops by sensitivity to fp32", cumulative)) {
                    return;
                }
            }
        }

        /** Runs one trial unless a limit is reached; returns whether to go on. */
        private boolean tryConfig(String change, TuneConfig cfg) {
            if (trials.size() >= maxTrials) {
                stop = StopReason.MAX_TRIALS;
                return false;
            }
            // the first trial always runs: a result needs a model
            if (!trials.isEmpty() && timeout != null && System.nanoTime() - start >= timeout.toNanos()) {
                stop = StopReason.TIMEOUT;
                return false;
            }
            int number = trials.size() + 1;
            listener.trialStarted(number, change, calibrationBatches);
            EagerQuantizedModel model = quantize(cfg);
            try {
                long t0 = System.nanoTime();
                double score = evaluate(model.module());
                Duration time = Duration.ofNanos(System.nanoTime() - t0);
                boolean met = criterion.isMet(baseline, score);
                Trial trial = new Trial(number, change, cfg, score, criterion.loss(baseline, score), met,
                        WeightBytes.of(model.module()), time);
                trials.add(trial);
                listener.trialFinished(trial);
                if (best == null || met || score > best.score()) {
                    EagerQuantizedModel previous = bestModel;
                    bestModel = model;
                    best = trial;
                    model = previous;
                }
                if (met) {
                    stop = StopReason.CRITERION_MET;
                    return false;
                }
                return true;
            } finally {
                if (model != null) {
                    model.close();
                }
            }
        }

        private EagerQuantizedModel quantize(TuneConfig cfg) {
            Iterable<NDArray> batches = approach == Approach.POST_TRAINING_DYNAMIC_QUANT ? List.of() : counted();
            try {
                return EagerQuantizedModel.quantize(cfg, fp32, batches, reduceRange);
            } catch (CheckpointException e) {
                throw new TuningException("building the model of " + cfg.ops().size() + " ops failed: " + e.getMessage(), e);
            }
        }

        private double evaluate(Module model) {
            try {
                return evaluation.evaluate(model);
            } catch (TuningException e) {
                throw e;
            } catch (Exception e) {
                throw new TuningException("the evaluation failed: " + e, e);
            }
        }

        /** Fallback candidates (ops with their own forward: not QuantStub, not FloatFunctional), most sensitive first. */
        private List<String> fallbackOrder() {
            List<String> candidates = new ArrayList<>();
            for (OpKey op : ops) {
                Module m = fp32.module(op.name());
                if (!(m instanceof QuantStub) && !(m instanceof FloatFunctional)) {
                    candidates.add(op.name());
                }
            }
            if (approach == Approach.POST_TRAINING_DYNAMIC_QUANT || calibration == null) {
                return candidates;
            }
            Iterator<NDArray> it = calibration.iterator();
            List<String> order = OpSensitivity.order(fp32, bestModel.module(), candidates, it.next());
            while (it.hasNext()) {
                it.next(); // iterated to the end, so that data sources free what they hold
            }
            return order;
        }

        private TuneConfig allInt8(Algorithm algorithm) {
            Map<OpKey, OpConfig> op = new LinkedHashMap<>();
            for (OpKey k : ops) {
                op.put(k, LpotOps.int8(k, approach, algorithm));
            }
            return TuneConfig.lpot(approach, calibIteration, op);
        }

        private TuneConfig withFp32(TuneConfig cfg, String opName) {
            Map<OpKey, OpConfig> op = new LinkedHashMap<>(cfg.ops());
            for (OpKey k : ops) {
                if (k.name().equals(opName)) {
                    op.put(k, OpConfig.fp32(true));
                }
            }
            return cfg.withOps(op);
        }

        /** The calibration batches (0 without calibration data, which only the dynamic approach may lack). */
        private long countBatches() {
            if (calibration == null) {
                return 0;
            }
            long n = 0;
            for (Iterator<NDArray> it = calibration.iterator(); it.hasNext(); it.next()) {
                n++;
            }
            if (n == 0 && approach != Approach.POST_TRAINING_DYNAMIC_QUANT) {
                throw new TuningException("the calibration data has no batch");
            }
            return n;
        }

        /** The calibration data, reporting each batch to the listener. */
        private Iterable<NDArray> counted() {
            return () -> new Iterator<>() {
                private final Iterator<NDArray> it = calibration.iterator();
                private int done;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public NDArray next() {
                    NDArray batch = it.next();
                    listener.calibrationBatch(++done);
                    return batch;
                }
            };
        }
    }

    /**
     * Returns a copy with the approach: {@code POST_TRAINING_STATIC_QUANT} (the default) or {@code POST_TRAINING_DYNAMIC_QUANT}.
     *
     * @param approach the approach
     * @return a tuner like this one with that changed
     * @throws IllegalArgumentException for quantization-aware training, which needs a training loop
     */
    public Tuner withApproach(Approach approach) {
        if (approach == Approach.QUANT_AWARE_TRAINING) {
            throw new IllegalArgumentException("quantization-aware training is not a post-training approach");
        }
        return new Tuner(Objects.requireNonNull(approach), calibration, evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the calibration inputs (required for the static approach), iterated once per trial and
     * once to count them: their number is the config's {@code calib_iteration}, for the dynamic
     * approach too (which runs no calibration), as LPOT writes it; without them a dynamic config
     * says 1. The tuner does not close them.
     *
     * @param batches the input batches
     * @return a tuner like this one with that changed
     */
    public Tuner withCalibration(Iterable<NDArray> batches) {
        return new Tuner(approach, Objects.requireNonNull(batches), evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the calibration inputs from a DJL dataset: the first array of each batch's data.
     *
     * @param dataset the calibration data
     * @return a tuner like this one with that changed
     * @see CalibrationData#inputs(Dataset)
     */
    public Tuner withCalibration(Dataset dataset) {
        return withCalibration(CalibrationData.inputs(dataset));
    }

    /**
     * Returns a copy with the evaluation (required).
     *
     * @param evaluation scores a model, higher is better
     * @return a tuner like this one with that changed
     */
    public Tuner withEvaluation(Evaluation evaluation) {
        return new Tuner(approach, calibration, Objects.requireNonNull(evaluation), criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the accuracy criterion (default: 1% relative loss).
     *
     * @param criterion the criterion
     * @return a tuner like this one with that changed
     */
    public Tuner withCriterion(AccuracyCriterion criterion) {
        return new Tuner(approach, calibration, evaluation, Objects.requireNonNull(criterion), activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the activation algorithms the all-int8 trials use, in order (default: minmax, kl).
     *
     * @param algorithms {@link Algorithm#MINMAX} and/or {@link Algorithm#KL}
     * @return a tuner like this one with that changed
     * @throws IllegalArgumentException if empty or another algorithm is given
     */
    public Tuner withActivationAlgorithms(List<Algorithm> algorithms) {
        if (algorithms.isEmpty() || !List.of(Algorithm.MINMAX, Algorithm.KL).containsAll(algorithms)) {
            throw new IllegalArgumentException("expected minmax and/or kl, got " + algorithms);
        }
        return new Tuner(approach, calibration, evaluation, criterion, List.copyOf(algorithms),
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the largest number of trials (default 100), LPOT's {@code max_trials}.
     *
     * @param maxTrials at least 1
     * @return a tuner like this one with that changed
     * @throws IllegalArgumentException if less than 1
     */
    public Tuner withMaxTrials(int maxTrials) {
        if (maxTrials < 1) {
            throw new IllegalArgumentException("maxTrials must be at least 1, got " + maxTrials);
        }
        return new Tuner(approach, calibration, evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with a  time limit, checked before each trial but the first: no later trial starts after it
     * (default: none).
     *
     * @param timeout the limit
     * @return a tuner like this one with that changed
     * @throws IllegalArgumentException if negative
     */
    public Tuner withTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("the timeout must not be negative, got " + timeout);
        }
        return new Tuner(approach, calibration, evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with LPOT 's {@code REDUCE_RANGE}: when true, asymmetric activation observers quantize to 7
     * bits (quint8 0..127, scales about twice as large), as LPOT 1.5 does on a CPU without AVX-512
     * VNNI. Default: what LPOT would do on this CPU ({@link CpuInfo#lpotReduceRange()}). The
     * tune config does not record it (LPOT 1.5 does not either); loading does not need it.
     *
     * @param reduceRange whether to reduce the activation range
     * @return a tuner like this one with that changed
     */
    public Tuner withReduceRange(boolean reduceRange) {
        return new Tuner(approach, calibration, evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, listener);
    }

    /**
     * Returns a copy with the listener that follows the run (default: none).
     *
     * @param listener the listener
     * @return a tuner like this one with that changed
     */
    public Tuner withListener(TuningListener listener) {
        return new Tuner(approach, calibration, evaluation, criterion, activationAlgorithms,
                maxTrials, timeout, reduceRange, Objects.requireNonNull(listener));
    }
}
