package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.Tuple;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The tag allowlist table, tag by tag and wherever a tag can hide (keys, directives, verbatim
 * form, inside an allowed OrderedDict, before a syntax error); PyYAML's readings of scalars; the
 * bounds. HostileYamlTest covers the first-line cases.
 */
class YamlAllowlistTest {
    private static final String MARKER = "/tmp/qcheckpoint-pwned-allowlist";
    private static final String HEAD = "approach: post_training_static_quant\n";
    private static final String OP = "op:\n  ? !!python/tuple\n  - fc\n  - Linear\n  : activation:\n      dtype: fp32\n";

    private static TuneConfig read(String yaml) throws Exception {
        return TuneConfigs.readYaml(yaml, "best_configure.yaml");
    }

    private static Object other(String value) throws Exception {
        return read(HEAD + "x: " + value + "\n" + OP).others().get("x");
    }

    static Stream<Arguments> hiddenPythonTags() {
        String run = "['touch " + MARKER + "']";
        return Stream.of(
                Arguments.of("as a mapping key", HEAD + "? !!python/object/apply:os.system " + run + "\n: 1\n" + OP, 2),
                Arguments.of("as an op key", HEAD + "op:\n  ? !!python/object/apply:os.system " + run + "\n  : {}\n", 3),
                Arguments.of("verbatim", HEAD + "x: !<tag:yaml.org,2002:python/object/apply:os.system> " + run + "\n" + OP, 2),
                Arguments.of("through a %TAG handle", "%TAG !p! tag:yaml.org,2002:python/\n---\n" + HEAD
                        + "x: !p!object/apply:os.system " + run + "\n" + OP, 4),
                Arguments.of("inside an allowed OrderedDict", HEAD + "x: !!python/object/apply:collections.OrderedDict\n- - - k\n"
                        + "    - !!python/object/new:subprocess.Popen [['touch', '" + MARKER + "']]\n" + OP, 4),
                Arguments.of("before a syntax error", HEAD + "x: !!python/object/apply:builtins.exec ['import os']\ny: [unclosed\n", 2),
                Arguments.of("a look-alike of the allowed one", HEAD + "x: !!python/object/apply:collections.OrderedDictX []\n" + OP, 2),
                Arguments.of("python/name", HEAD + "x: !!python/name:os.system ''\n" + OP, 2),
                Arguments.of("python/bytes", HEAD + "x: !!python/bytes aGk=\n" + OP, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hiddenPythonTags")
    void everyOtherPythonTagIsRefusedWherever(String where, String yaml, int line) {
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class, () -> read(yaml));
        assertTrue(e.getMessage().startsWith("best_configure.yaml: line " + line + ": refused the tag !!python/"), e.getMessage());
        assertTrue(e.getMessage().contains("allowlist"), e.getMessage());
        assertFalse(Files.exists(Path.of(MARKER)), "nothing ran");
    }

    @Test
    void pythonDataTagsOfOldLpotReadAsData() throws Exception {
        assertEquals("x", other("!!python/str x"));
        assertEquals("x", other("!!python/unicode x"));
        assertEquals(null, other("!!python/none ''"));
        assertEquals(true, other("!!python/bool 'True'"));
        assertEquals(12L, other("!!python/int '12'"));
        assertEquals(BigInteger.TWO.pow(80), other("!!python/long '1208925819614629174706176'"));
        assertEquals(1.5, other("!!python/float '1.5'"));
        assertEquals(List.of(1L), other("!!python/list [1]"));
        assertEquals(Map.of("a", 1L), other("!!python/dict {a: 1}"));
        assertEquals(Tuple.of(), other("!!python/tuple []"));
        Map<Object, Object> od = new LinkedHashMap<>();
        od.put("b", 1L);
        od.put(Tuple.of("t", "u"), 2L);
        assertEquals(od, other("!!python/object/apply:collections.OrderedDict [[[b, 1], [!!python/tuple [t, u], 2]]]"));
        // the form PyYAML before 5.1 wrote (represent_object: dictitems)
        assertEquals(od, other("!!python/object/apply:collections.OrderedDict {dictitems: {b: 1, !!python/tuple [t, u]: 2}}"));
        assertEquals(Map.of(), other("!!python/object/apply:collections.OrderedDict []"));
        assertThrows(CheckpointFormatException.class, () -> other("!!python/object/apply:collections.OrderedDict {state: {a: 1}}"));
        assertThrows(CheckpointFormatException.class, () -> other("!!python/object/apply:collections.OrderedDict [[1, 2, 3]]"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "1e5|1e5|String", "'1.5'|1.5|String", "1.5|1.5|Double", "1.0e+5|100000.0|Double", "0x1F|31|Long", "017|15|Long",
        "0b101|5|Long", "1_000|1000|Long", "190:20:30|685230|Long", "-.INF|-Infinity|Double", ".NaN|NaN|Double",
        "yes|true|Boolean", "Off|false|Boolean", "~|null|null", "NULL|null|null", "''||String", "!!str 12|12|String",
        "!!float 1|1.0|Double", "!!int '0x10'|16|Long", "18446744073709551616|18446744073709551616|BigInteger"})
    void scalarsReadAsPyYamlReadsThem(String yaml, String value, String type) throws Exception {
        Object v = other(yaml);
        assertEquals(type, v == null ? "null" : v.getClass().getSimpleName());
        assertEquals(value == null ? "" : value, v == null ? "null" : v.toString());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "implicit timestamp|x: 2021-01-01|line 2: the plain scalar '2021-01-01' reads as !!timestamp",
        "merge key|x: &a {b: 1}\\ny: {<<: *a}|!!merge",
        "value key|x: =|!!value",
        "binary|x: !!binary aGk=|line 2: unsupported YAML tag !!binary",
        "local tag|x: !mine 1|unsupported YAML tag !mine",
        "bad int|x: !!int abc|'abc' is not a YAML int",
        "bad float|x: !!float 0x1p3|is not a YAML float",
        "bad bool|x: !!bool maybe|'maybe' is not a YAML bool",
        "tuple on a mapping|x: !!python/tuple {a: 1}|!!python/tuple needs a sequence",
        "unhashable key|? [1, 2]\\n: x|unhashable mapping key (a list)",
        "recursive alias|x: &a [*a]|recursive structure"})
    void whatPyYamlsSafeLoaderRefusesIsAFormatError(String what, String line, String message) {
        String yaml = HEAD + line.replace("\\n", "\n") + "\n" + OP;
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> read(yaml));
        assertTrue(e.getMessage().startsWith("best_configure.yaml: ") && e.getMessage().contains(message), e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "no op|approach: x\\n|op: missing",
        "no approach|op: {}\\n|approach: missing",
        "calib_iteration a string|approach: x\\ncalib_iteration: '5'\\nop: {}\\n|line 2: calib_iteration: expected an int, found a str ('5')",
        "framework null|approach: x\\nframework: null\\nop: {}\\n|line 2: framework: expected a str, found null",
        "op key not a tuple|approach: x\\nop:\\n  conv: {activation: {dtype: fp32}}\\n|line 3: op[conv]: op keys must be (name, type) tuples",
        "weight dtype an int|approach: x\\nop:\\n  ? !!python/tuple [conv, Conv2d]\\n  : weight:\\n      dtype: 8\\n    activation: {dtype: fp32}\\n"
                + "|line 5: op[(conv, Conv2d)].weight.dtype: expected a str, found an int (8)",
        "no activation|approach: x\\nop:\\n  ? !!python/tuple [conv, Conv2d]\\n  : weight: {dtype: fp32}\\n"
                + "|op[(conv, Conv2d)].activation: missing",
        "no dtype|approach: x\\nop:\\n  ? !!python/tuple [conv, Conv2d]\\n  : activation: {scheme: sym}\\n"
                + "|line 4: op[(conv, Conv2d)].activation.dtype: missing",
        "bit a string|approach: x\\nop:\\n  ? !!python/tuple [c, C]\\n  : activation: {dtype: int8, bit: '7'}\\n"
                + "|op[(c, C)].activation.bit: expected an int or a float",
        "op config a list|approach: x\\nop:\\n  ? !!python/tuple [c, C]\\n  : [1]\\n|line 3: op[(c, C)]: expected a mapping",
        "truncated|approach: x\\nop:\\n  ? !!python/tuple\\n  - 'fc|not valid YAML",
        "tab indentation|approach: x\\nop:\\n\\t- 1\\n|line 3",
        "two documents|approach: x\\nop: {}\\n---\\napproach: y\\n|expected a single document",
        "empty|\\n|empty: no YAML document",
        "a scalar|hello\\n|expected a mapping at the top level, found a str ('hello')"})
    void wrongShapesNameLineKeyPathAndExpectation(String what, String yaml, String message) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> read(yaml.replace("\\n", "\n").replace("\\t", "\t")));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void duplicateKeysKeepTheFirstPlaceAndTheLastValueAsPythonDoes() throws Exception {
        TuneConfig cfg = read(HEAD + "x: {a: 1, b: 2, a: 3}\n" + OP);
        assertEquals(List.of("a", "b"), List.copyOf(((Map<?, ?>) cfg.others().get("x")).keySet()));
        assertEquals(3L, ((Map<?, ?>) cfg.others().get("x")).get("a"));
    }

    @Test
    void inputIsBounded() {
        String deep = HEAD + "x: " + "[".repeat(100) + "]".repeat(100) + "\n" + OP;
        assertTrue(assertThrows(CheckpointFormatException.class, () -> read(deep)).getMessage().contains("not valid YAML"));
        byte[] big = new byte[YamlInput.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        assertTrue(assertThrows(CheckpointFormatException.class,
                () -> TuneConfigs.readYaml(new ByteArrayInputStream(big), "big.yaml")).getMessage().contains("larger than"));
        assertTrue(assertThrows(CheckpointFormatException.class,
                () -> TuneConfigs.readYaml(new ByteArrayInputStream(new byte[] {'a', ':', ' ', (byte) 0xC3}), "bad.yaml"))
                .getMessage().contains("not UTF-8"));
        // doubling through 24 anchors stays under the alias count, so the value budget stops it
        StringBuilder y = new StringBuilder(HEAD + "a0: &a0 [x, x]\n");
        for (int i = 1; i < 24; i++) {
            y.append("a").append(i).append(": &a").append(i).append(" [*a").append(i - 1).append(", *a").append(i - 1).append("]\n");
        }
        String doubling = y + OP;
        CheckpointFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CheckpointFormatException.class, () -> read(doubling)));
        assertTrue(e.getMessage().contains("expands to more than"), e.getMessage());
    }

    @Test
    void aByteOrderMarkIsSkipped() throws Exception {
        byte[] text = ("\uFEFF" + HEAD + OP).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, TuneConfigs.readYaml(new ByteArrayInputStream(text), "bom.yaml").ops().size());
    }
}
