package io.qcheckpoint.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.Main;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.lpot.LpotOps;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.testing.PythonTorch;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningResult;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance on real data: the digits CNN tuned in Java keeps its accuracy within 1%
 * relative of fp32, the reloaded model predicts as the tuned one, and the checkpoint loads in
 * PyTorch with LPOT's semantics ({@code digits_lpot_check.py}) and predicts identically there.
 */
class DigitsTuningTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theDemoCheckpointServesInPythonWithTheSamePredictions() throws Exception {
        Path out = dir.resolve("checkpoint");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int exit = Main.run(new PrintWriter(stdout), new PrintWriter(stderr), "demo", "--out", out.toString(),
                "--no-progress");
        assertEquals(Main.EXIT_OK, exit, stdout + "\n" + stderr);
        assertTrue(stdout.toString().contains("the reloaded model predicts exactly as the tuned model on all 360"),
                stdout.toString());

        JsonNode fp32 = JSON.readTree(PythonTorch.run("digits_oracle.py"));
        JsonNode torch = JSON.readTree(PythonTorch.run("digits_lpot_check.py", out.toString()));
        assertEquals(ints(torch.get("predictions")), javaPredictions(out));
        List<String> listed = new ArrayList<>();
        torch.get("quantizable_ops").forEach(op -> listed.add(op.get(0).asText() + ":" + op.get(1).asText()));
        try (Module model = fused()) {
            assertEquals(listed, LpotOps.quantizableOps(model, Approach.POST_TRAINING_STATIC_QUANT).stream()
                    .map(op -> op.name() + ":" + op.type()).toList());
        }
        double fp32Accuracy = fp32.get("accuracy").asDouble();
        assertTrue(torch.get("accuracy").asDouble() >= fp32Accuracy * 0.99,
                "int8 " + torch.get("accuracy") + " against fp32 " + fp32Accuracy);
    }

    @Test
    void aFallbackCheckpointServesInPythonWithTheSamePredictions() throws Exception {
        Digits train = Digits.load().train();
        try (Module fp32 = fused(); NDManager m = NDManager.newBaseManager()) {
            List<NDArray> calibration = List.of(train.batch(m, 0, 64), train.batch(m, 64, 128));
            // an evaluation that only accepts conv2 in fp32: the tuner must find the fallback
            Tuner tuner = Tuner.defaults().withCalibration(calibration)
                    .withEvaluation(q -> q.module("conv2") instanceof io.qcheckpoint.nn.quantized.Conv2d ? 0.5 : 1.0);
            try (TuningResult r = tuner.tune(fp32)) {
                assertTrue(r.criterionMet());
                assertEquals("conv2 to fp32", r.best().change());
                r.model().save(dir);
            }
        }
        JsonNode torch = JSON.readTree(PythonTorch.run("digits_lpot_check.py", dir.toString()));
        assertEquals(List.of("conv2"), strings(torch.get("fp32_ops")));
        assertEquals(ints(torch.get("predictions")), javaPredictions(dir));
    }

    private static Module fused() {
        try (DigitsCnn unfused = DigitsCnn.pretrained()) {
            return FuseModules.fuseModules(unfused, DigitsCnn.FUSE_GROUPS);
        }
    }

    /** The test split's predictions of the checkpoint loaded in Java onto a fresh model. */
    private static List<Integer> javaPredictions(Path checkpoint) throws Exception {
        Digits test = Digits.load().test();
        try (Module fp32 = fused(); QuantizedModel<?> q = Checkpoints.load(checkpoint, fp32);
             NDManager m = NDManager.newBaseManager()) {
            long[] p = q.forward(test.batch(m, 0, test.size())).argMax(1).toLongArray();
            List<Integer> out = new ArrayList<>();
            for (long v : p) {
                out.add((int) v);
            }
            return out;
        }
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
