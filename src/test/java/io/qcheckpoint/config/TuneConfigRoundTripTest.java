package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real LPOT v1.5 files and the committed PyYAML-written fixtures, read and written again, give the
 * same bytes (or, for files with anchors or iLiT's OrderedDict tags, what LPOT 1.2+ writes for the
 * same data); and a config built through the API gives LPOT's bytes.
 */
class TuneConfigRoundTripTest {
    private static final Path REFERENCE = Path.of("src/test/resources/fixtures/reference/lpot-v1.5");
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/config");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"post_training_static_quant", "post_training_dynamic_quant", "quant_aware_training"})
    void lpotReferenceFilesRoundTripByteForByte(String approach) throws Exception {
        Path file = REFERENCE.resolve(approach + ".best_configure.yaml");
        TuneConfig cfg = TuneConfigs.readYaml(file);
        assertEquals(Files.readString(file), TuneConfigs.toYaml(cfg));
        TuneConfigs.writeYaml(cfg, dir.resolve("best_configure.yaml"));
        assertEquals(-1, Files.mismatch(file, dir.resolve("best_configure.yaml")));
        assertEquals(approach, cfg.approach());
        assertEquals(approach, cfg.approachKind().orElseThrow().value());
        assertEquals("pytorch", cfg.framework().orElseThrow());
        assertTrue(cfg.others().containsKey("advance") && cfg.others().get("advance") == null);
        assertEquals(List.of(), cfg.unrecognizedValues());
    }

    @Test
    void staticReferenceContent() throws Exception {
        TuneConfig cfg = TuneConfigs.readYaml(REFERENCE.resolve("post_training_static_quant.best_configure.yaml"));
        assertEquals(100, cfg.calibIteration().orElseThrow());
        assertEquals(List.of(new OpKey("quant", "QuantStub"), new OpKey("conv", "Conv2d"), new OpKey("conv2", "Conv2d"),
                new OpKey("fc", "Linear")), List.copyOf(cfg.ops().keySet()));
        OpConfig quant = cfg.ops().get(new OpKey("quant", "QuantStub"));
        assertTrue(quant.weight().isEmpty());
        assertEquals(QuantDType.UINT8, quant.activation().dtypeKind().orElseThrow());
        OpConfig conv = cfg.ops().get(new OpKey("conv", "Conv2d"));
        TensorConfig w = conv.weight().orElseThrow();
        assertEquals(List.of("dtype", "scheme", "granularity", "algorithm", "bit"), List.copyOf(w.entries().keySet()));
        assertEquals(7.0, w.bit().orElseThrow());
        assertEquals(Scheme.SYM, w.schemeKind().orElseThrow());
        assertEquals(Granularity.PER_CHANNEL, w.granularityKind().orElseThrow());
        assertEquals(Algorithm.KL, conv.activation().algorithmKind().orElseThrow());
        assertFalse(conv.isFp32());
        assertTrue(cfg.ops().get(new OpKey("conv2", "Conv2d")).isFp32());
    }

    @Test
    void aConfigBuiltThroughTheApiIsWhatLpotWrote() throws Exception {
        TensorConfig actMinmax = TensorConfig.of(QuantDType.UINT8, Scheme.ASYM, Granularity.PER_TENSOR, Algorithm.MINMAX);
        TensorConfig actKl = TensorConfig.of(QuantDType.UINT8, Scheme.ASYM, Granularity.PER_TENSOR, Algorithm.KL);
        TensorConfig weight = TensorConfig.of(QuantDType.INT8, Scheme.SYM, Granularity.PER_CHANNEL, Algorithm.MINMAX)
                .with(TensorConfig.BIT, 7.0);
        Map<OpKey, OpConfig> ops = new LinkedHashMap<>();
        ops.put(new OpKey("quant", "QuantStub"), OpConfig.of(null, actMinmax));
        ops.put(new OpKey("conv", "Conv2d"), OpConfig.of(weight, actKl));
        ops.put(new OpKey("conv2", "Conv2d"), OpConfig.fp32(true));
        ops.put(new OpKey("fc", "Linear"), OpConfig.of(weight, actKl));
        TuneConfig cfg = TuneConfig.lpot(Approach.POST_TRAINING_STATIC_QUANT, 100, ops);
        assertEquals(Files.readString(REFERENCE.resolve("post_training_static_quant.best_configure.yaml")), TuneConfigs.toYaml(cfg));
        assertEquals(cfg, TuneConfigs.readYaml(TuneConfigs.toYaml(cfg), "again"));
    }

    static Stream<String> fixtureFiles() throws Exception {
        try (Stream<Path> s = Files.list(FIXTURES)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml") && !n.endsWith(".expected.yaml"))
                    .sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("fixtureFiles")
    void pyYamlFixturesRoundTrip(String name) throws Exception {
        Path file = FIXTURES.resolve(name);
        Path expected = FIXTURES.resolve(name.replace(".yaml", ".expected.yaml"));
        String want = Files.readString(Files.exists(expected) ? expected : file);
        assertEquals(want, TuneConfigs.toYaml(TuneConfigs.readYaml(file)));
    }

    @Test
    void iLiTOrderedDictTagsReadAsOrderedData() throws Exception {
        TuneConfig ilit = TuneConfigs.readYaml(FIXTURES.resolve("ilit_ordereddict.yaml"));
        assertEquals(TuneConfigs.readYaml(FIXTURES.resolve("ilit_ordereddict.expected.yaml")), ilit);
        assertEquals(List.of(new OpKey("conv1", "Conv2d"), new OpKey("fc", "Linear")), List.copyOf(ilit.ops().keySet()));
        assertEquals(List.of("dtype", "scheme", "granularity", "algorithm"),
                List.copyOf(ilit.ops().get(new OpKey("conv1", "Conv2d")).weight().orElseThrow().entries().keySet()));
    }

    @Test
    void anchorsReadAsSharedValues() throws Exception {
        TuneConfig cfg = TuneConfigs.readYaml(FIXTURES.resolve("anchors.yaml"));
        assertEquals(cfg.ops().get(new OpKey("quant", "QuantStub")).activation(),
                cfg.ops().get(new OpKey("fc", "Linear")).activation());
    }

    @Test
    void awkwardStringsAndFloatsSurvive() throws Exception {
        TuneConfig cfg = TuneConfigs.readYaml(FIXTURES.resolve("tune_00.yaml"));
        @SuppressWarnings("unchecked")
        Map<Object, Object> strings = (Map<Object, Object>) cfg.others().get("strings");
        strings.forEach((k, v) -> assertEquals(k, v, "key and value were the same string"));
        assertTrue(strings.containsKey("null") && strings.containsKey("") && strings.containsKey("1e5")
                && strings.containsKey("multi\nline") && strings.containsKey("\uD83D\uDE00 smile"));
        @SuppressWarnings("unchecked")
        List<Object> floats = (List<Object>) cfg.others().get("floats");
        assertTrue(floats.contains(1e-05) && floats.contains(5e-324) && floats.contains(Double.NEGATIVE_INFINITY)
                && floats.contains(Double.NaN));
        assertTrue(floats.stream().allMatch(f -> f instanceof Double));
    }

    @Test
    void configsKeepEveryTopLevelKey() throws Exception {
        String yaml = "advance: null\napproach: post_training_static_quant\nbf16_ops_list:\n- !!python/tuple\n  - fc\n"
                + "  - Linear\ncalib_iteration: 2\ncalib_sampling_size: 100\nframework: pytorch\nop:\n  ? !!python/tuple\n"
                + "  - fc\n  - Linear\n  : weight:\n      dtype: bf16\n    activation:\n      dtype: bf16\n"
                + "recipe_cfgs:\n  smooth_quant: false\n  smooth_quant_args:\n    alpha: 0.5\nreduce_range: true\n";
        TuneConfig cfg = TuneConfigs.readYaml(yaml, "inc.yaml");
        assertEquals(List.of("advance", "bf16_ops_list", "calib_sampling_size", "recipe_cfgs", "reduce_range"),
                List.copyOf(cfg.others().keySet()));
        assertEquals(List.of(Tuple.of("fc", "Linear")), cfg.others().get("bf16_ops_list"));
        assertEquals(yaml, TuneConfigs.toYaml(cfg));
    }
}
