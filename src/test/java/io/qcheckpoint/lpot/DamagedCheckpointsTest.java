package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.qcheckpoint.CheckpointFormat;
import io.qcheckpoint.CheckpointNotFoundException;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged checkpoints give the documented exception, naming what is wrong, and the fp32 model
 * passed in computes exactly what it did before.
 */
class DamagedCheckpointsTest {
    private static final String CASE = "static_wrap";
    private static final Path SOURCE = CheckpointsMatchLpotTest.FIXTURES.resolve(CASE);

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsNamedWithTheFormatAndTheFileFound() throws Exception {
        Files.copy(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE), dir.resolve(EagerQuantizedModel.CONFIG_FILE));
        CheckpointNotFoundException e = refused(CheckpointNotFoundException.class);
        assertEquals("LPOT checkpoint in " + dir + " is missing best_model_weights.pt (found best_configure.yaml)",
                e.getMessage());
        assertEquals(dir.toString(), e.file());
        Files.delete(dir.resolve(EagerQuantizedModel.CONFIG_FILE));
        Files.copy(SOURCE.resolve(EagerQuantizedModel.WEIGHTS_FILE), dir.resolve(EagerQuantizedModel.WEIGHTS_FILE));
        assertEquals("LPOT checkpoint in " + dir + " is missing best_configure.yaml (found best_model_weights.pt)",
                refused(CheckpointNotFoundException.class).getMessage());
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(CASE)) {
            assertEquals("LPOT checkpoint in " + dir + " is missing best_configure.yaml (found best_model_weights.pt)",
                    assertThrows(CheckpointNotFoundException.class, () -> Checkpoints.load(dir, fp32,
                    io.qcheckpoint.LoadOptions.defaults().withFormat(CheckpointFormat.EAGER_YAML))).getMessage());
        }
    }

    @Test
    void anEmptyDirectoryNamesEveryFormatsFiles() throws Exception {
        CheckpointNotFoundException e = refused(CheckpointNotFoundException.class);
        for (CheckpointFormat f : CheckpointFormat.values()) {
            f.files().forEach(name -> assertTrue(e.getMessage().contains(name), e.getMessage()));
        }
    }

    @Test
    void pythonObjectTagsAreRefusedAndNothingRuns() throws Exception {
        Path marker = dir.resolve("pwned");
        copyWith("op:\n", "evil: !!python/object/apply:os.system ['touch " + marker + "']\nop:\n");
        UnsafeCheckpointException e = refused(UnsafeCheckpointException.class);
        assertTrue(e.getMessage().contains("os.system"), e.getMessage());
        assertTrue(!Files.exists(marker));
    }

    @Test
    void anOpTheModelLacksIsNamed() throws Exception {
        copyWith("  - conv2\n", "  - conv9\n");
        ModelMismatchException e = refused(ModelMismatchException.class);
        assertTrue(e.getMessage().contains("conv9"), e.getMessage());
        assertEquals(dir.resolve(EagerQuantizedModel.CONFIG_FILE).toString(), e.file());
    }

    @Test
    void weightsOfAnotherModelAreRefusedNamingTheKeys() throws Exception {
        Files.copy(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE), dir.resolve(EagerQuantizedModel.CONFIG_FILE));
        Files.copy(CheckpointsMatchLpotTest.FIXTURES.resolve("fused_cnn").resolve(EagerQuantizedModel.WEIGHTS_FILE),
                dir.resolve(EagerQuantizedModel.WEIGHTS_FILE));
        ModelMismatchException e = refused(ModelMismatchException.class);
        assertTrue(e.getMessage().contains(EagerQuantizedModel.WEIGHTS_FILE) && e.getMessage().contains("conv2.quant.scale"),
                e.getMessage());
        assertEquals(dir.resolve(EagerQuantizedModel.WEIGHTS_FILE).toString(), e.file());
    }

    @Test
    void truncatedWeightsAreAFormatError() throws Exception {
        Files.copy(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE), dir.resolve(EagerQuantizedModel.CONFIG_FILE));
        byte[] weights = Files.readAllBytes(SOURCE.resolve(EagerQuantizedModel.WEIGHTS_FILE));
        Files.write(dir.resolve(EagerQuantizedModel.WEIGHTS_FILE), Arrays.copyOf(weights, weights.length / 2));
        CheckpointFormatException e = refused(CheckpointFormatException.class);
        assertTrue(e.getMessage().contains(EagerQuantizedModel.WEIGHTS_FILE), e.getMessage());
        assertTrue(e.file().startsWith(dir.resolve(EagerQuantizedModel.WEIGHTS_FILE).toString()), e.file());
    }

    @Test
    void aConfigThatQuantizesNothingWarnsAsLpotDoes() throws Exception {
        // every op of dynamic_mlp (no stubs) fp32: no module gets a qconfig, so LPOT's warning comes first
        Path source = CheckpointsMatchLpotTest.FIXTURES.resolve("dynamic_mlp");
        String yaml = Files.readString(source.resolve(EagerQuantizedModel.CONFIG_FILE), StandardCharsets.UTF_8)
                .replaceAll("dtype: u?int8", "dtype: fp32");
        Files.writeString(dir.resolve(EagerQuantizedModel.CONFIG_FILE), yaml);
        Files.copy(source.resolve(EagerQuantizedModel.WEIGHTS_FILE), dir.resolve(EagerQuantizedModel.WEIGHTS_FILE));
        java.io.PrintStream err = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            refused(ModelMismatchException.class, "dynamic_mlp");
        } finally {
            System.setErr(err);
        }
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("None of the submodule got qconfig applied"),
                captured.toString(StandardCharsets.UTF_8));
    }

    /** Copies the checkpoint, replacing {@code from} by {@code to} once in its YAML. */
    private void copyWith(String from, String to) throws Exception {
        String yaml = Files.readString(SOURCE.resolve(EagerQuantizedModel.CONFIG_FILE), StandardCharsets.UTF_8);
        assertTrue(yaml.contains(from));
        Files.writeString(dir.resolve(EagerQuantizedModel.CONFIG_FILE), yaml.replaceFirst(java.util.regex.Pattern.quote(from),
                java.util.regex.Matcher.quoteReplacement(to)));
        Files.copy(SOURCE.resolve(EagerQuantizedModel.WEIGHTS_FILE), dir.resolve(EagerQuantizedModel.WEIGHTS_FILE));
    }

    /** Loads {@link #dir}, expecting {@code type}, and checks the fp32 model is unchanged. */
    private <T extends CheckpointException> T refused(Class<T> type) throws Exception {
        return refused(type, CASE);
    }

    private <T extends CheckpointException> T refused(Class<T> type, String caseName) throws Exception {
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(caseName); NDManager m = NDManager.newBaseManager()) {
            float[] before = fp32.forward(CheckpointsMatchLpotTest.input(m, caseName)).toFloatArray();
            T e = assertThrows(type, () -> Checkpoints.load(dir, fp32));
            assertArrayEquals(before, fp32.forward(CheckpointsMatchLpotTest.input(m, caseName)).toFloatArray(),
                    "the fp32 model changed");
            return e;
        }
    }
}
