package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tune configs from Neural Compressor 1.11+ {@code best_model.pt} files, as the pt layer unpickles
 * them (DotDicts as maps, op keys as {@link Tuple}s), and the errors a wrong map gives.
 */
class TuneConfigFromMapTest {
    private static final Path PT = Path.of("src/test/resources/fixtures/pt");

    private static Map<?, ?> bestConfigure(String file) throws Exception {
        Map<?, ?> root = (Map<?, ?>) TorchFiles.read(PT.resolve(file)).root();
        return (Map<?, ?>) root.get("best_configure");
    }

    @Test
    void incBestModelEntryReads() throws Exception {
        TuneConfig cfg = TuneConfig.fromMap(bestConfigure("inc_best_model.pt"), "inc_best_model.pt [best_configure]");
        assertEquals(Approach.POST_TRAINING_STATIC_QUANT, cfg.approachKind().orElseThrow());
        assertEquals(4, cfg.calibIteration().orElseThrow());
        assertEquals(List.of(new OpKey("quant", "QuantStub"), new OpKey("conv", "Conv2d"), new OpKey("fc", "Linear")),
                List.copyOf(cfg.ops().keySet()));
        assertEquals("kl", cfg.ops().get(new OpKey("fc", "Linear")).activation().algorithm().orElseThrow());
        assertEquals(true, cfg.others().get("reduce_range"));
        assertEquals(List.of(), cfg.others().get("bf16_ops_list"));
        // what LPOT's yaml.dump(tune_cfg) gives for it: the two-file form of the same checkpoint
        String yaml = TuneConfigs.toYaml(cfg);
        assertTrue(yaml.startsWith("approach: post_training_static_quant\nbf16_ops_list: []\ncalib_iteration: 4\n"
                + "calib_sampling_size: 32\nframework: pytorch\nop:\n  ? !!python/tuple\n  - quant\n  - QuantStub\n"), yaml);
        assertEquals(cfg, TuneConfigs.readYaml(yaml, "again"));
    }

    @Test
    void lpotDotDictReads() throws Exception {
        TuneConfig cfg = TuneConfig.fromMap(bestConfigure("lpot_dotdict.pt"), "lpot_dotdict.pt");
        assertEquals("post_training_dynamic_quant", cfg.approach());
        // DotDict turned the one-dict list [{'dtype': 'fp32'}] into a dict
        assertTrue(cfg.ops().get(new OpKey("relu", "ReLU")).isFp32());
        assertTrue(cfg.others().containsKey("advance"));
    }

    @Test
    void errorsNameTheKeyPath() {
        Map<Object, Object> op = new LinkedHashMap<>();
        op.put(Tuple.of("conv", "Conv2d"), Map.of("weight", Map.of("dtype", 8L), "activation", Map.of("dtype", "fp32")));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("approach", "post_training_static_quant");
        cfg.put("op", op);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> TuneConfig.fromMap(cfg, "best_model.pt"));
        assertEquals("best_model.pt: op[(conv, Conv2d)].weight.dtype: expected a str, found an int (8)", e.getMessage());

        op.clear();
        op.put(Tuple.of("conv", "Conv2d"), Map.of("activation", Map.of("dtype", "fp32", "scale", new byte[] {1})));
        e = assertThrows(CheckpointFormatException.class, () -> TuneConfig.fromMap(cfg, "best_model.pt"));
        assertTrue(e.getMessage().startsWith("best_model.pt: op[(conv, Conv2d)].activation: scale: a [B is not a value"), e.getMessage());

        op.clear();
        op.put("conv", Map.of("activation", Map.of("dtype", "fp32")));
        e = assertThrows(CheckpointFormatException.class, () -> TuneConfig.fromMap(cfg, "best_model.pt"));
        assertEquals("best_model.pt: op[conv]: op keys must be (name, type) tuples of two strings, found a str ('conv')",
                e.getMessage());

        Map<Object, Object> badTop = new LinkedHashMap<>(cfg);
        badTop.put(1L, "x");
        e = assertThrows(CheckpointFormatException.class, () -> TuneConfig.fromMap(badTop, "best_model.pt"));
        assertTrue(e.getMessage().contains("top-level keys must be strings, found an int (1)"), e.getMessage());
    }
}
