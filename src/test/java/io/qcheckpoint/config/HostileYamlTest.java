package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tune configs that try to run code are refused by the tag allowlist, naming the tag and line;
 * malformed or oversized ones are format errors, in bounded time. Readers of the real LPOT files
 * (byte-for-byte round trips) are covered by CheckpointsMatchLpotTest and PythonOracleTest.
 */
class HostileYamlTest {
    private static final String OP = "op:\n  ? !!python/tuple\n  - fc\n  - Linear\n  : weight:\n      dtype: fp32\n"
            + "    activation:\n      dtype: fp32\n";

    @ParameterizedTest
    @ValueSource(strings = {"!!python/object/apply:os.system ['touch /tmp/qcheckpoint-pwned-yaml']",
        "!!python/object/new:subprocess.Popen [['touch', '/tmp/qcheckpoint-pwned-yaml']]",
        "!!python/name:os.system", "!!python/module:os", "!!python/object:builtins.eval {}"})
    void pythonTagsThatRunCodeAreUnsafe(String value) {
        String yaml = "approach: post_training_static_quant\nevil: " + value + "\nframework: pytorch\n" + OP;
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class,
                () -> TuneConfigs.readYaml(yaml, "best_configure.yaml"));
        assertTrue(e.getMessage().contains("best_configure.yaml") && e.getMessage().contains("python/"), e.getMessage());
        assertTrue(e.getMessage().contains("2"), "names the line: " + e.getMessage());
        assertTrue(!Files.exists(Path.of("/tmp/qcheckpoint-pwned-yaml")));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "approach: [1, 2]\\nframework: pytorch\\n|approach",
        "approach: post_training_static_quant\\nop: [1, 2]\\n|op",
        "approach: post_training_static_quant\\nop:\\n  ? !!python/tuple\\n  - fc\\n|fc",
        "approach: post_training_static_quant\\nop:\\n  x: {weight: 1}\\n|op",
        "approach: post_training_static_quant\\ndata: !!binary aGVsbG8=\\nop: {}\\n|binary",
        "approach: post_training_static_quant\\nop: {\\n|best_configure.yaml",
        "- just\\n- a list\\n|best_configure.yaml"})
    void malformedConfigsAreFormatErrorsNamingTheKey(String yaml, String named) {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> TuneConfigs.readYaml(yaml.replace("\\n", "\n"), "best_configure.yaml"));
        assertTrue(e.getMessage().contains("best_configure.yaml") && e.getMessage().contains(named), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {9, 30})
    void billionLaughsIsRefusedQuickly(int levels) {
        StringBuilder y = new StringBuilder("approach: post_training_static_quant\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < levels; i++) {
            y.append("l").append(i).append(": &l").append(i).append(" [");
            for (int k = 0; k < 9; k++) {
                y.append(k == 0 ? "" : ", ").append("*l").append(i - 1);
            }
            y.append("]\n");
        }
        y.append(OP);
        CheckpointException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> assertThrows(CheckpointException.class, () -> TuneConfigs.readYaml(y.toString(), "laughs.yaml")));
        assertTrue(e.getMessage().contains("laughs.yaml"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void aPlainConfigStillReads() throws Exception {
        TuneConfig cfg = TuneConfigs.readYaml("approach: post_training_static_quant\nframework: pytorch\n" + OP, "ok.yaml");
        assertEquals(1, cfg.ops().size());
        assertTrue(cfg.ops().values().iterator().next().isFp32());
    }
}
