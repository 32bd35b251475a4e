package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.time.Duration;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Numbers and scalars far longer than any LPOT writes are refused as format errors before the
 * resolver's regexes, BigInteger or the composer see them, with a one-line message that repeats at
 * most a short escaped excerpt. (Each made a StackOverflowError, seconds of CPU or a gigabyte before.)
 */
class YamlLimitsTest {
    private static final String HEAD = "approach: post_training_static_quant\nframework: pytorch\n";
    private static final String OP = "op:\n  ? !!python/tuple\n  - fc\n  - Linear\n  : weight:\n      dtype: fp32\n"
            + "    activation:\n      dtype: fp32\n";

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("sexagesimal int, 3000 parts", (IntFunction<String>) n -> "calib_iteration: 1" + ":59".repeat(3000)),
                Arguments.of("sexagesimal float, 3000 parts", (IntFunction<String>) n -> "calib_iteration: 1" + ":59".repeat(3000) + ".5"),
                Arguments.of("sexagesimal int under the scalar cap", (IntFunction<String>) n -> "calib_iteration: 1" + ":59".repeat(1300)),
                Arguments.of("1M-digit int", (IntFunction<String>) n -> "calib_iteration: " + "9".repeat(1_000_000)),
                Arguments.of("101-digit int", (IntFunction<String>) n -> "calib_iteration: " + "9".repeat(101)),
                Arguments.of("long hex int", (IntFunction<String>) n -> "calib_iteration: 0x" + "f".repeat(3000)),
                Arguments.of("long float", (IntFunction<String>) n -> "calib_iteration: 1." + "5".repeat(3000)),
                Arguments.of("2 MB plain scalar", (IntFunction<String>) n -> "framework2: " + "a".repeat(2 << 20)),
                Arguments.of("15 MB plain scalar", (IntFunction<String>) n -> "framework2: " + "a".repeat(15 << 20)),
                Arguments.of("2 MB quoted scalar", (IntFunction<String>) n -> "framework2: \"" + "a\\n".repeat(1 << 20) + "\""),
                Arguments.of("tagged 1M-digit int", (IntFunction<String>) n -> "calib_iteration: !!int '" + "9".repeat(1_000_000) + "'"),
                Arguments.of("tagged long int over lines", (IntFunction<String>) n -> "calib_iteration: !!int '" + "9".repeat(200)
                        + "\n  " + "9".repeat(200) + "'"),
                Arguments.of("2 MB scalar over short lines", (IntFunction<String>) n -> "framework2: " + "abcdefg\n  ".repeat(1 << 18)),
                Arguments.of("2 MB key", (IntFunction<String>) n -> "b".repeat(2 << 20) + ": 1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void isAShortFormatError(String name, IntFunction<String> line) {
        String yaml = HEAD + line.apply(0) + "\n" + OP;
        CheckpointFormatException e = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> assertThrows(CheckpointFormatException.class, () -> TuneConfigs.readYaml(yaml, "best_configure.yaml")));
        assertTrue(e.getMessage().startsWith("best_configure.yaml: line 3: "), e.getMessage());
        assertTrue(e.getMessage().length() < 300, e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void errorsRepeatAShortEscapedExcerpt() {
        String yaml = HEAD + "calib_iteration: \"root:x:0:0:root:/root:/bin/bash\\ndaemon:x:1:1:daemon:/usr/sbin\"\n" + OP;
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> TuneConfigs.readYaml(yaml, "best_configure.yaml"));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().contains("'root:x:0:0:root:/root:/bin/bash\\ndaemon:x... (61 characters)'"), e.getMessage());
    }

    @Test
    void theRealFilesAreFarUnderTheLimits() {
        // op names are module paths and numbers float reprs: the limits leave room of 10x and more
        assertTrue(YamlInput.MAX_SCALAR_CHARS >= 4096 && YamlInput.MAX_NUMBER_CHARS >= 100);
    }
}
