package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The value records: their checks, LPOT's fp32 rule, unknown values kept and listed. */
class ConfigRecordsTest {
    private static final TensorConfig INT8 = TensorConfig.of(QuantDType.INT8, Scheme.SYM, Granularity.PER_CHANNEL, Algorithm.MINMAX);
    private static final TensorConfig UINT8 = TensorConfig.of(QuantDType.UINT8, Scheme.ASYM, Granularity.PER_TENSOR, Algorithm.KL);

    @Test
    void fp32FollowsLpot19Rule() {
        // the weight decides when there is one, whatever the activation says
        assertTrue(OpConfig.of(TensorConfig.fp32(), UINT8).isFp32());
        assertFalse(OpConfig.of(INT8, TensorConfig.fp32()).isFp32());
        // without a weight, the activation decides
        assertTrue(OpConfig.of(null, TensorConfig.fp32()).isFp32());
        assertFalse(OpConfig.of(null, UINT8).isFp32());
        // leftovers beside fp32 do not matter
        assertTrue(OpConfig.of(TensorConfig.fp32().with("scheme", "sym"), TensorConfig.fp32()).isFp32());
        assertTrue(OpConfig.fp32(false).weight().isEmpty());
    }

    @Test
    void tensorConfigChecksTypes() {
        assertThrows(IllegalArgumentException.class, () -> new TensorConfig(Map.of("scheme", "sym")));
        assertThrows(IllegalArgumentException.class, () -> new TensorConfig(Map.of("dtype", 8L)));
        assertThrows(IllegalArgumentException.class, () -> INT8.with("bit", "7"));
        assertThrows(IllegalArgumentException.class, () -> INT8.with("x", new Object()));
        assertEquals(7L, INT8.with("bit", 7).bit().orElseThrow()); // an Integer is held as Python's int
        assertEquals(List.of("dtype", "scheme", "granularity", "algorithm", "zz"), List.copyOf(INT8.with("zz", 1).entries().keySet()));
        assertEquals(List.of("dtype", "scheme", "granularity", "algorithm"), List.copyOf(INT8.with("scheme", "asym").entries().keySet()));
    }

    @Test
    void opConfigNeedsAnActivationAndTensorMaps() {
        assertThrows(IllegalArgumentException.class, () -> new OpConfig(Map.of("weight", INT8)));
        assertThrows(IllegalArgumentException.class, () -> new OpConfig(Map.of("activation", "uint8")));
        OpConfig fromMaps = new OpConfig(Map.of("activation", Map.of("dtype", "fp32")));
        assertEquals(TensorConfig.fp32(), fromMaps.activation());
    }

    @Test
    void valuesAreCopiedAndUnmodifiable() {
        List<Object> list = new ArrayList<>(List.of(1L));
        Map<String, Object> others = new LinkedHashMap<>();
        others.put("x", list);
        others.put("big", BigInteger.TWO.pow(70));
        others.put("small", BigInteger.TEN);
        others.put("f", 1.5f);
        TuneConfig cfg = new TuneConfig("a", Optional.empty(), OptionalLong.empty(), Map.of(), others);
        list.add(2L);
        assertEquals(List.of(1L), cfg.others().get("x"));
        assertEquals(10L, cfg.others().get("small"));
        assertEquals(1.5, cfg.others().get("f"));
        assertThrows(UnsupportedOperationException.class, () -> cfg.others().put("y", 1));
        assertThrows(IllegalArgumentException.class, () -> cfg.withOther("op", 1));
        assertThrows(IllegalArgumentException.class, () -> cfg.withOther("m", Map.of(List.of(1), 2)));
    }

    @Test
    void unknownValuesAreKeptAndListed() {
        Map<OpKey, OpConfig> ops = new LinkedHashMap<>();
        ops.put(new OpKey("conv", "Conv2d"), OpConfig.of(INT8.with("dtype", "int4").with("scheme", "odd"),
                UINT8.with("algorithm", "percentile")));
        TuneConfig cfg = new TuneConfig("post_training_auto_quant", Optional.of("onnxrt"), OptionalLong.empty(), ops, Map.of());
        assertTrue(cfg.approachKind().isEmpty());
        assertEquals(List.of("approach: post_training_auto_quant", "framework: onnxrt", "op[(conv, Conv2d)].weight.dtype: int4",
                "op[(conv, Conv2d)].weight.scheme: odd", "op[(conv, Conv2d)].activation.algorithm: percentile"),
                cfg.unrecognizedValues());
    }

    @Test
    void enumsParseLpotSpellingsOnly() {
        assertEquals(Optional.of(Approach.QUANT_AWARE_TRAINING), Approach.parse("quant_aware_training"));
        assertEquals(Optional.of(Scheme.ASYM_FLOAT), Scheme.parse("asym_float"));
        assertEquals(Optional.of(QuantDType.BF16), QuantDType.parse("bf16"));
        assertEquals(Optional.of(Algorithm.PLACEHOLDER), Algorithm.parse("placeholder"));
        assertEquals(Optional.of(Granularity.PER_TENSOR), Granularity.parse("per_tensor"));
        assertEquals(Optional.empty(), Scheme.parse("SYM"));
        assertEquals(Optional.empty(), QuantDType.parse(null));
    }

    @Test
    void opKeysComeFromTuplesOrPairs() {
        assertEquals(Optional.of(new OpKey("fc", "Linear")), OpKey.from(Tuple.of("fc", "Linear")));
        assertEquals(Optional.of(new OpKey("fc", "Linear")), OpKey.from(List.of("fc", "Linear")));
        assertEquals(Optional.empty(), OpKey.from(Tuple.of("fc", "Linear", "x")));
        assertEquals(Optional.empty(), OpKey.from(Tuple.of("fc", 1L)));
        assertEquals(Optional.empty(), OpKey.from("fc"));
        assertEquals(Tuple.of("fc", "Linear"), new OpKey("fc", "Linear").toTuple());
        assertEquals("(fc, Linear)", new OpKey("fc", "Linear").toString());
    }

    @Test
    void toMapIsPythonShapedAndSortedAtTheTop() {
        Map<String, Object> others = new LinkedHashMap<>();
        others.put("zeta", 1L);
        others.put("advance", null);
        TuneConfig cfg = new TuneConfig("x", Optional.of("pytorch"), OptionalLong.of(3),
                Map.of(new OpKey("fc", "Linear"), OpConfig.of(INT8, UINT8)), others);
        Map<String, Object> m = cfg.toMap();
        assertEquals(List.of("advance", "approach", "calib_iteration", "framework", "op", "zeta"), List.copyOf(m.keySet()));
        Map<?, ?> op = (Map<?, ?>) m.get("op");
        assertEquals(Tuple.of("fc", "Linear"), op.keySet().iterator().next());
        assertEquals(INT8.entries(), ((Map<?, ?>) op.values().iterator().next()).get("weight"));
    }

    @Test
    void pythonOrderIsByCodePoint() {
        // U+1F600 sorts after U+FFFD in Python; UTF-16 units would put it first
        assertTrue(ConfigOrder.compareStrings("\uFFFD", "\uD83D\uDE00") < 0);
        assertTrue("\uFFFD".compareTo("\uD83D\uDE00") > 0);
        assertTrue(ConfigOrder.compareStrings("a", "ab") < 0);
        assertEquals(0, ConfigOrder.compareStrings("op", "op"));
    }
}
