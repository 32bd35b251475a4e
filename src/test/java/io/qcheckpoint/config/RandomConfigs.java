package io.qcheckpoint.config;

import io.qcheckpoint.pt.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;

/**
 * Seeded random tune configs and IPEX lists built through the Java API, full of the strings,
 * floats and shapes that stress PyYAML's and json's rendering rules.
 */
final class RandomConfigs {
    /** Strings PyYAML must quote, or that exercise its indicators, folding and escapes. */
    static final List<String> AWKWARD = List.of("null", "Null", "~", "", "yes", "No", "on", "OFF", "true", "1.5", "1e5",
            "1.0e+5", ".inf", "-.INF", ".nan", "0x1F", "017", "0b101", "1_000", "190:20:30", "2021-01-01", "<<", "=",
            "- a", "-a", ": b", "a:b", "a: b", "#c", "a #b", "? q", "!tag", "&a", "*a", "|", ">", "'", "\"", "%", "@",
            "`", "[x]", "{y}", "a, b", " lead", "trail ", "it's", "say \"hi\"", "multi\nline", "ends\n", "\nstarts",
            "a\n\nb", "a \nb", "a\n b", "tab\there", "cr\rlf", "\u00fcn\u00efc\u00f6d\u00e9", "\u20acuro", "\uD83D\uDE00",
            "ctl\u0001", "del\u007f", "nbsp\u00a0", "nel\u0085", "ls\u2028", "ps\u2029", "bom\ufeff", "esc\u001b", "---",
            "...", "--- x", "word ".repeat(25), "long-".repeat(30), "k".repeat(122), "k".repeat(123), "x'y".repeat(40),
            "back\\slash", "\u0000nul");
    private static final String ALPHABET = "abcXYZ019 _-.:#,?[]{}'\"!&*|>%@`~+e\n\t\\\u00e9\u20ac\u0085\u2028\u00a0";

    private final Random r;

    RandomConfigs(long seed) {
        r = new Random(seed);
    }

    String string() {
        int c = r.nextInt(10);
        if (c < 4) {
            return AWKWARD.get(r.nextInt(AWKWARD.size()));
        }
        if (c < 5) {
            return AWKWARD.get(r.nextInt(AWKWARD.size())) + " " + AWKWARD.get(r.nextInt(AWKWARD.size()));
        }
        StringBuilder sb = new StringBuilder();
        int n = c < 9 ? r.nextInt(12) : 60 + r.nextInt(120);
        for (int i = 0; i < n; i++) {
            sb.append(c < 8 && r.nextInt(3) > 0 ? (char) ('a' + r.nextInt(26)) : ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            if (c >= 8 && r.nextInt(6) == 0) {
                sb.append(' ');
            }
        }
        return sb.toString();
    }

    double floating() {
        return switch (r.nextInt(6)) {
            case 0 -> Double.longBitsToDouble(r.nextLong());
            case 1 -> (float) r.nextGaussian();
            case 2 -> List.of(0.0, -0.0, 1.0, 7.0, 0.1, 1e-5, 1e-4, 1e16, 1e20, 5e-324, Double.MAX_VALUE,
                    Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 2.82879384806159e17).get(r.nextInt(15));
            case 3 -> r.nextInt(2000) * Math.pow(10, r.nextInt(41) - 20);
            default -> r.nextDouble() * 1000;
        };
    }

    Object scalar() {
        return switch (r.nextInt(8)) {
            case 0, 1, 2 -> string();
            case 3 -> floating();
            case 4 -> r.nextInt(3) == 0 ? r.nextLong() : (long) r.nextInt(300) - 100;
            case 5 -> BigInteger.valueOf(r.nextLong()).shiftLeft(64).add(BigInteger.valueOf(7));
            case 6 -> r.nextBoolean();
            default -> null;
        };
    }

    Object value(int depth) {
        int c = r.nextInt(10);
        if (depth > 2 || c < 5) {
            return scalar();
        }
        if (c < 7) {
            List<Object> l = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                l.add(value(depth + 1));
            }
            return l;
        }
        if (c < 8) {
            List<Object> l = new ArrayList<>();
            for (int i = r.nextInt(4); i > 0; i--) {
                l.add(value(depth + 1));
            }
            return Tuple.copyOf(l);
        }
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            m.put(key(), value(depth + 1));
        }
        return m;
    }

    /** Keys Python would not merge (no bool, float or equal-int keys). */
    private Object key() {
        return switch (r.nextInt(6)) {
            case 0 -> Tuple.of(string(), string());
            case 1 -> (long) r.nextInt(1000);
            case 2 -> Tuple.of();
            default -> string();
        };
    }

    TensorConfig tensor(boolean weight) {
        String dtype = r.nextInt(8) == 0 ? string() : List.of("int8", "uint8", "fp32", "bf16").get(r.nextInt(4));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dtype", dtype);
        if (!dtype.equals("fp32") || r.nextInt(4) == 0) {
            m.put("scheme", r.nextInt(8) == 0 ? string() : List.of("sym", "asym", "asym_float").get(r.nextInt(3)));
            m.put("granularity", List.of("per_channel", "per_tensor").get(r.nextInt(2)));
            m.put("algorithm", List.of("minmax", "kl", "placeholder").get(r.nextInt(3)));
            if (weight && r.nextBoolean()) {
                m.put("bit", r.nextBoolean() ? (Object) 7.0 : (Object) 8L);
            }
        }
        for (int i = r.nextInt(3) == 0 ? r.nextInt(3) : 0; i > 0; i--) {
            String k = string();
            if (!m.containsKey(k) && !Set.of("dtype", "scheme", "granularity", "algorithm", "bit").contains(k)) {
                m.put(k, value(1));
            }
        }
        List<String> keys = new ArrayList<>(m.keySet());
        if (r.nextInt(5) == 0) { // any order must survive
            java.util.Collections.shuffle(keys, r);
        }
        Map<String, Object> ordered = new LinkedHashMap<>();
        keys.forEach(k -> ordered.put(k, m.get(k)));
        return new TensorConfig(ordered);
    }

    TuneConfig tuneConfig() {
        Map<OpKey, OpConfig> ops = new LinkedHashMap<>();
        for (int i = r.nextInt(8); i >= 0; i--) {
            OpKey key = new OpKey(r.nextBoolean() ? "layer" + i + ".conv" : string(), r.nextBoolean() ? "Conv2d" : string());
            Map<String, Object> op = new LinkedHashMap<>();
            if (r.nextInt(4) > 0) {
                op.put("weight", tensor(true));
            }
            op.put("activation", tensor(false));
            if (r.nextInt(6) == 0) {
                op.put("extra " + string(), value(1));
            }
            ops.put(key, new OpConfig(op));
        }
        Map<String, Object> others = new LinkedHashMap<>();
        Set<String> used = new HashSet<>(Set.of("approach", "framework", "calib_iteration", "op"));
        for (int i = r.nextInt(5); i > 0; i--) {
            String k = r.nextBoolean() ? string() : List.of("advance", "reduce_range", "bf16_ops_list", "recipe_cfgs",
                    "calib_sampling_size").get(r.nextInt(5));
            if (used.add(k)) {
                others.put(k, value(0));
            }
        }
        String approach = r.nextInt(6) == 0 ? string() : Approach.values()[r.nextInt(3)].value();
        return new TuneConfig(approach, r.nextInt(5) == 0 ? Optional.empty() : Optional.of(r.nextBoolean() ? "pytorch" : string()),
                r.nextInt(5) == 0 ? OptionalLong.empty() : OptionalLong.of(r.nextInt(1000)), ops, others);
    }

    IpexConfig ipexConfig() {
        List<IpexOpCalibration> ops = new ArrayList<>();
        for (int i = 0; i < 1 + r.nextInt(6); i++) {
            int nIn = 1 + r.nextInt(3);
            int nOut = 1 + r.nextInt(2);
            boolean zp = r.nextBoolean();
            Map<String, Object> extras = new LinkedHashMap<>();
            if (r.nextInt(5) == 0) {
                extras.put("extra " + string(), jsonValue());
            }
            ops.add(new IpexOpCalibration(i, r.nextInt(4) == 0 ? string() : "Convolution_Relu", "min_max",
                    r.nextBoolean() ? "per_channel" : "per_tensor", doubles(nIn), doubles(nOut),
                    zp ? Optional.of(longs(nIn)) : Optional.empty(), zp ? Optional.of(longs(nOut)) : Optional.empty(),
                    bools(nIn), bools(nOut), r.nextBoolean(), extras));
        }
        return new IpexConfig(ops);
    }

    private Object jsonValue() {
        Object v = scalar();
        if (r.nextBoolean()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put(string(), v);
            m.put("list", new ArrayList<>(List.of(1L, 2.5, "x")));
            return m;
        }
        return v;
    }

    private List<Double> doubles(int n) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextBoolean() ? (double) (float) (127.5 / (r.nextDouble() * 50 + 1e-3)) : floating());
        }
        return out;
    }

    private List<Long> longs(int n) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((long) r.nextInt(256));
        }
        return out;
    }

    private List<Boolean> bools(int n) {
        List<Boolean> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextBoolean());
        }
        return out;
    }
}
