package io.qcheckpoint.tuning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.util.RandomUtils;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.quantization.DequantQuantWrapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The basic strategy's control flow: when it stops and why, which configs it tries in which order,
 * and that its result is the model its tune config describes. Evaluations here score the module
 * tree (which ops are int8), so each outcome is known from the strategy alone.
 */
class TunerTest {
    private static final List<String> CANDIDATES = List.of("fc1", "fc2", "fc3");

    private NDManager manager;
    private List<NDArray> calibration;

    @TempDir
    Path dir;

    @BeforeEach
    void data() {
        manager = NDManager.newBaseManager();
        calibration = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            calibration.add(manager.randomNormal(0, 1, new Shape(8, 8), ai.djl.ndarray.types.DataType.FLOAT32));
        }
    }

    @AfterEach
    void free() {
        manager.close();
    }

    @Test
    void stopsAtTheFirstTrialThatMeetsTheCriterion() {
        try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(m -> 1.0).tune(fp32)) {
            assertEquals(StopReason.CRITERION_MET, r.stopReason());
            assertEquals(1, r.trials().size());
            assertEquals("all ops int8 (minmax)", r.best().change());
            assertTrue(r.criterionMet());
            assertEquals(4, r.best().tuneConfig().calibIteration().orElseThrow());
            r.best().tuneConfig().ops().values().forEach(op -> assertFalse(op.isFp32()));
            assertEquals(4L * (8 * 16 + 16 + 16 * 16 + 16 + 16 * 4 + 4), r.baselineWeightBytes());
            assertTrue(r.best().weightBytes() < r.baselineWeightBytes(), r.best().weightBytes() + " bytes");
        }
    }

    @Test
    void fallsBackTheOpThatCostsAccuracy() {
        // fc2 in int8 costs 10%: only configs with fc2 in fp32 meet the 1% criterion
        Evaluation eval = m -> m.module("fc2") instanceof io.qcheckpoint.nn.quantized.Linear ? 0.9 : 1.0;
        try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(eval).tune(fp32)) {
            assertEquals(StopReason.CRITERION_MET, r.stopReason());
            assertEquals("fc2 to fp32", r.best().change());
            assertTrue(r.best().tuneConfig().ops().get(new OpKey("fc2", "Linear")).isFp32());
            assertEquals(1, r.best().tuneConfig().ops().values().stream().filter(op -> op.isFp32()).count());
            assertTrue(r.model().module().module("fc2") instanceof DequantQuantWrapper);
        }
    }

    @Test
    void triesSingleFallbacksMostSensitiveFirstThenCumulative() {
        // only the model without an int8 Linear meets the criterion: the last cumulative trial
        try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(int8Costs(0.5)).tune(fp32)) {
            assertEquals(StopReason.CRITERION_MET, r.stopReason());
            List<String> expected;
            try (EagerQuantizedModel allInt8 = EagerQuantizedModel.quantize(r.trials().get(0).tuneConfig(), fp32,
                    calibration)) {
                List<String> order = OpSensitivity.order(fp32, allInt8.module(), CANDIDATES, calibration.get(0));
                expected = new ArrayList<>(List.of("all ops int8 (minmax)", "all ops int8 (kl)"));
                order.forEach(op -> expected.add(op + " to fp32"));
                expected.add("first 2 ops by sensitivity to fp32");
                expected.add("first 3 ops by sensitivity to fp32");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            assertEquals(expected, r.trials().stream().map(Trial::change).toList());
            assertEquals(r.trials().size(), r.best().number());
            r.best().tuneConfig().ops().forEach((op, cfg) -> assertEquals(!op.name().equals("quant"), cfg.isFp32()));
        }
    }

    @Test
    void exhaustedKeepsTheBestEarliestTrial() {
        try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(quantizedCosts()).tune(fp32)) {
            assertEquals(StopReason.EXHAUSTED, r.stopReason());
            assertFalse(r.criterionMet());
            assertEquals(7, r.trials().size());
            assertEquals(1, r.best().number(), "ties keep the earliest trial");
            assertEquals(0.5, r.best().loss(), 1e-12);
        }
    }

    @Test
    void stopsAtMaxTrials() {
        try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(quantizedCosts()).withMaxTrials(3).tune(fp32)) {
            assertEquals(StopReason.MAX_TRIALS, r.stopReason());
            assertEquals(3, r.trials().size());
        }
    }

    @Test
    void stopsAtTheTimeoutButRunsOneTrial() {
        AtomicInteger evaluations = new AtomicInteger();
        Evaluation slow = m -> {
            evaluations.incrementAndGet();
            Thread.sleep(50);
            return quantizedCosts().evaluate(m);
        };
        try (Module fp32 = Mlp.seeded(1);
             TuningResult r = tuner(slow).withTimeout(Duration.ofMillis(10)).tune(fp32)) {
            assertEquals(StopReason.TIMEOUT, r.stopReason());
            assertEquals(1, r.trials().size());
            assertEquals(2, evaluations.get(), "the baseline and one trial");
        }
    }

    @Test
    void sameInputsSameTrialsAndWeights() throws Exception {
        Evaluation eval = m -> m.module("fc3") instanceof io.qcheckpoint.nn.quantized.Linear ? 0.9 : 1.0;
        byte[][] weights = new byte[2][];
        List<List<Trial>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            // the generators are moved between the runs: the trials must not depend on them
            Engine.getInstance().setRandomSeed(run);
            try (Module fp32 = Mlp.seeded(1); TuningResult r = tuner(eval).tune(fp32)) {
                Path out = dir.resolve("run" + run);
                r.model().save(out);
                weights[run] = Files.readAllBytes(out.resolve(EagerQuantizedModel.WEIGHTS_FILE));
                runs.add(r.trials());
            }
        }
        assertArrayEquals(weights[0], weights[1]);
        assertEquals(runs.get(0).stream().map(t -> List.of(t.change(), t.tuneConfig(), t.score())).toList(),
                runs.get(1).stream().map(t -> List.of(t.change(), t.tuneConfig(), t.score())).toList());
    }

    @Test
    void tuningLeavesTheRandomStateOfDjlAndLibtorchAlone() {
        Evaluation eval = m -> m.module("fc3") instanceof io.qcheckpoint.nn.quantized.Linear ? 0.9 : 1.0;
        Engine engine = Engine.getInstance();
        try (Module fp32 = Mlp.seeded(1); NDManager m = manager.newSubManager()) {
            engine.setRandomSeed(42);
            float[] libtorchDraw = m.randomUniform(0, 1, new Shape(16)).toFloatArray();
            int javaDraw = RandomUtils.nextInt();
            engine.setRandomSeed(42);
            try (TuningResult r = tuner(eval).tune(fp32)) {
                assertTrue(r.trials().size() > 1, "several trials ran");
            }
            assertEquals(42, engine.getSeed());
            // the next numbers are those that follow the caller's own seed: the tuner neither reseeded nor drew
            assertArrayEquals(libtorchDraw, m.randomUniform(0, 1, new Shape(16)).toFloatArray());
            assertEquals(javaDraw, RandomUtils.nextInt());
        }
    }

    @Test
    void theSavedResultLoadsBackAsTheSameModel() throws Exception {
        Evaluation eval = m -> m.module("fc1") instanceof io.qcheckpoint.nn.quantized.Linear ? 0.9 : 1.0;
        try (Module fp32 = Mlp.seeded(2); TuningResult r = tuner(eval).tune(fp32)) {
            r.model().save(dir);
            try (QuantizedModel<?> loaded = Checkpoints.load(dir, fp32); NDManager m = manager.newSubManager()) {
                NDArray x = m.randomNormal(0, 2, new Shape(16, 8), ai.djl.ndarray.types.DataType.FLOAT32);
                assertArrayEquals(r.model().forward(x).toFloatArray(), loaded.forward(x).toFloatArray());
                assertEquals(r.model().tuneConfig(), loaded.tuneConfig());
            }
        }
    }

    @Test
    void dynamicQuantizationNeedsNoData() {
        try (Module fp32 = Mlp.seeded(1);
             TuningResult r = Tuner.defaults().withApproach(Approach.POST_TRAINING_DYNAMIC_QUANT)
                     .withEvaluation(m -> 1.0).tune(fp32)) {
            assertEquals(StopReason.CRITERION_MET, r.stopReason());
            assertEquals("post_training_dynamic_quant", r.best().tuneConfig().approach());
            assertEquals(List.of("fc1", "fc2", "fc3"),
                    r.best().tuneConfig().ops().keySet().stream().map(OpKey::name).toList());
            assertTrue(r.model().module().module("fc1") instanceof io.qcheckpoint.nn.quantized.dynamic.Linear);
        }
    }

    @Test
    void badSetUpsAndFailingEvaluationsAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> Tuner.defaults().withMaxTrials(0));
        assertThrows(IllegalArgumentException.class, () -> AccuracyCriterion.relative(-0.1));
        try (Module fp32 = Mlp.seeded(1)) {
            IllegalStateException noData = assertThrows(IllegalStateException.class,
                    () -> Tuner.defaults().withEvaluation(m -> 1.0).tune(fp32));
            assertTrue(noData.getMessage().contains("needs calibration data"), noData.getMessage());
            IllegalStateException noEvaluation = assertThrows(IllegalStateException.class,
                    () -> Tuner.defaults().withCalibration(List.of()).tune(fp32));
            assertTrue(noEvaluation.getMessage().contains("no evaluation"), noEvaluation.getMessage());
            TuningException e = assertThrows(TuningException.class, () -> tuner(m -> {
                throw new IllegalStateException("metric server down");
            }).tune(fp32));
            assertTrue(e.getMessage().contains("metric server down"), e.getMessage());
            TuningException none = assertThrows(TuningException.class,
                    () -> tuner(m -> 1.0).withCalibration(List.of()).tune(fp32));
            assertTrue(none.getMessage().contains("no batch"), none.getMessage());
        }
    }

    @Test
    void criterionArithmetic() {
        assertTrue(AccuracyCriterion.relative(0.01).isMet(0.9, 0.8911));
        assertFalse(AccuracyCriterion.relative(0.01).isMet(0.9, 0.8909));
        assertTrue(AccuracyCriterion.absolute(0.02).isMet(0.9, 0.8801));
        assertFalse(AccuracyCriterion.absolute(0.02).isMet(0.9, 0.879));
        assertEquals(-0.1, AccuracyCriterion.absolute(0).loss(0.5, 0.6), 1e-12);
    }

    /** 1.0 for the fp32 model, {@code int8Score} for any model with an int8 Linear. */
    private static Evaluation int8Costs(double int8Score) {
        return m -> m.namedModules().values().stream().anyMatch(x -> x instanceof io.qcheckpoint.nn.quantized.Linear)
                ? int8Score : 1.0;
    }

    /** 1.0 for the fp32 model, 0.5 for any model that quantizes its input: no trial meets the criterion. */
    private static Evaluation quantizedCosts() {
        return m -> m.namedModules().values().stream().anyMatch(x -> x instanceof io.qcheckpoint.nn.quantized.Quantize)
                ? 0.5 : 1.0;
    }

    private Tuner tuner(Evaluation eval) {
        return Tuner.defaults().withCalibration(calibration).withEvaluation(eval);
    }

    /** quant, fc1 (8 to 16), relu1, fc2 (16 to 16), relu2, fc3 (16 to 4), dequant. */
    static final class Mlp extends Module {
        Mlp() {
            register("quant", new QuantStub());
            register("fc1", new Linear(8, 16));
            register("relu1", new ReLU());
            register("fc2", new Linear(16, 16));
            register("relu2", new ReLU());
            register("fc3", new Linear(16, 4));
            register("dequant", new DeQuantStub());
        }

        static Mlp seeded(long seed) {
            Mlp m = new Mlp();
            Random random = new Random(seed);
            StateDict sd = m.stateDict();
            StateDict weights = new StateDict();
            for (String key : sd.keys()) {
                Tensor t = sd.tensor(key);
                float[] v = new float[(int) t.numel()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.4);
                }
                weights.put(key, Tensor.fromFloats(v, t.shape()));
            }
            try {
                m.loadStateDict(weights, true);
            } catch (StateDictMismatchException e) {
                throw new AssertionError(e);
            }
            m.eval();
            return m;
        }

        @Override
        public NDArray forward(NDArray x) {
            x = call("relu1", call("fc1", call("quant", x)));
            x = call("relu2", call("fc2", x));
            return call("dequant", call("fc3", x));
        }
    }
}
