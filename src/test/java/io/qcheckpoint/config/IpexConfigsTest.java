package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The IPEX calibration list: json.dump's bytes back from json.dump's files, and errors naming index and key. */
class IpexConfigsTest {
    private static final String OP = "{\"id\": 0, \"name\": \"Convolution\", \"algorithm\": \"min_max\", "
            + "\"weight_granularity\": \"per_channel\", \"inputs_scale\": [25.5], \"outputs_scale\": [12.75], "
            + "\"inputs_uint8_used\": [false], \"outputs_uint8_used\": [true], \"quantized\": true}";

    @TempDir
    Path dir;

    static Stream<Path> fixtures() throws Exception {
        return PythonOracleTest.fixtures("json").stream();
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void pythonWrittenListsRoundTripByteForByte(Path file) throws Exception {
        IpexConfig cfg = IpexConfigs.readJson(file);
        assertEquals(Files.readString(file), IpexConfigs.toJson(cfg));
        IpexConfigs.writeJson(cfg, dir.resolve("best_configure.json"));
        assertEquals(-1, Files.mismatch(file, dir.resolve("best_configure.json")));
    }

    @Test
    void readsTheDocumentedKeys() throws Exception {
        IpexConfig cfg = IpexConfigs.readJson("[" + OP + "]", "best_configure.json");
        IpexOpCalibration op = cfg.ops().get(0);
        assertEquals("Convolution", op.name());
        assertEquals(List.of(25.5), op.inputsScale());
        assertEquals(Optional.empty(), op.inputsZeroPoint());
        assertEquals(List.of(1 / 12.75), op.outputsTorchScale());
        assertEquals(0.5, IpexConfig.torchScale(2.0));
        assertEquals("[" + OP.replace("\"quantized\": true", "\"quantized\": false") + "]",
                IpexConfigs.toJson(new IpexConfig(List.of(op.withQuantized(false)))));
    }

    @Test
    void zeroPointsNonFiniteScalesAndExtrasSurvive() throws Exception {
        String text = "[" + OP.replace("[12.75], ", "[NaN], \"inputs_zero_point\": [128], \"outputs_zero_point\": [0], ")
                .replace("[25.5]", "[Infinity]").replace("}", ", \"extra\": {\"a\": [1, 2.0, null, \"\\u00e9\"]}}") + "]";
        IpexConfig cfg = IpexConfigs.readJson(text, "x.json");
        assertEquals(Optional.of(List.of(128L)), cfg.ops().get(0).inputsZeroPoint());
        Map<?, ?> extra = (Map<?, ?>) cfg.ops().get(0).extras().get("extra");
        assertEquals(java.util.Arrays.asList(1L, 2.0, null, "\u00e9"), extra.get("a"));
        assertEquals(text, IpexConfigs.toJson(cfg));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{}|x.json: expected a JSON list of ops, found an object",
        "[1]|x.json: [0]: expected an object, found a number (1)",
        "[OP, {\"id\": 1}]|x.json: [1].name: missing",
        "[OP_id]|x.json: [0].id: expected an int, found a string (\"0\")",
        "[OP_scale]|x.json: [0].inputs_scale[1]: expected a number, found a string (\"a\")",
        "[OP_bool]|x.json: [0].outputs_uint8_used[0]: expected a bool, found a number (1)",
        "[OP] []|not valid JSON",
        "[OP|not valid JSON",
        "|x.json: empty"})
    void errorsNameIndexAndKey(String json, String message) {
        String text = json == null ? "" : json.replace("OP_id", OP.replace("\"id\": 0", "\"id\": \"0\""))
                .replace("OP_scale", OP.replace("[25.5]", "[25.5, \"a\"]"))
                .replace("OP_bool", OP.replace("[true]", "[1]")).replace("OP", OP);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> IpexConfigs.readJson(text, "x.json"));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    @Test
    void inputIsBounded() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(CheckpointFormatException.class, () -> IpexConfigs.readJson(deep, "deep.json"));
        byte[] big = new byte[IpexConfigs.MAX_BYTES + 1];
        assertTrue(assertThrows(CheckpointFormatException.class,
                () -> IpexConfigs.readJson(new ByteArrayInputStream(big), "big.json")).getMessage().contains("larger than"));
    }

    @Test
    void pythonJsonEscapesAsEnsureAsciiDoes() {
        assertEquals("\"q\\\"b\\\\ \\n\\r\\t\\b\\f \\u0001\\u007f \\u00e9\\u20ac\\ud83d\\ude00\"",
                PythonJson.dumps("q\"b\\ \n\r\t\b\f \u0001\u007f \u00e9\u20ac\uD83D\uDE00"));
        assertEquals("[1e-05, 0.1, 1e+16, -0.0, NaN, -Infinity, {}, [], null, true]", PythonJson.dumps(java.util.Arrays.asList(
                1e-5, 0.1, 1e16, -0.0, Double.NaN, Double.NEGATIVE_INFINITY, Map.of(), List.of(), null, true)));
    }
}
