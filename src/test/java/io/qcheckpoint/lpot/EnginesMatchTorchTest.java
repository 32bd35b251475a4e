package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import io.qcheckpoint.testing.StepDistance;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The LPOT ResNet-style checkpoint (lpot15_static) loaded and run under each int8 engine against torch 1.13
 * running it live under an engine on this machine: qnnpack is the same code in both, so bit for bit; Java's
 * onednn and x86 against torch's onednn within one output step.
 */
class EnginesMatchTorchTest {
    private static final String CASE = "lpot15_static";

    @Test
    void qnnpackEqualsTorchsQnnpackBitForBit() throws Exception {
        float[] torch = torch("qnnpack");
        float[] java = java(QuantizedEngine.QNNPACK);
        report("qnnpack", "qnnpack", torch, java);
        assertArrayEquals(torch, java);
    }

    @Test
    void onednnAndX86AreWithinOneStepOfTorchsOnednn() throws Exception {
        float[] torch = torch("onednn");
        double scale = CheckpointsMatchLpotTest.info(CASE).get("output_scale").asDouble();
        for (QuantizedEngine e : new QuantizedEngine[] {QuantizedEngine.ONEDNN, QuantizedEngine.X86}) {
            if (!QuantizedEngines.supported().contains(e)) {
                continue;
            }
            float[] java = java(e);
            report(e.torchName(), "onednn", torch, java);
            QuantizedModelsTestSupport.assertWithinOneStep(torch, java, scale, CASE + " under " + e);
        }
    }

    /** Java's output for the case, loaded and run under {@code engine}; the engine is restored after. */
    private static float[] java(QuantizedEngine engine) throws Exception {
        QuantizedEngine before = QuantizedEngines.get();
        QuantizedEngines.set(engine);
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(CASE); NDManager m = NDManager.newBaseManager();
                QuantizedModel<?> q = Checkpoints.load(CheckpointsMatchLpotTest.FIXTURES.resolve(CASE), fp32)) {
            return q.forward(CheckpointsMatchLpotTest.input(m, CASE)).toFloatArray();
        } finally {
            QuantizedEngines.set(before);
        }
    }

    private static float[] torch(String engine) throws Exception {
        Path dir = CheckpointsMatchLpotTest.FIXTURES.resolve(CASE);
        Path out = Files.createTempFile("torch-" + engine, ".pt");
        try {
            PythonTorch.run("lpot_models.py", "check", dir.toString(), CASE, dir.resolve("input.pt").toString(),
                    out.toString(), "--engine", engine);
            return ((Tensor) TorchFiles.read(out).root()).toFloatArray();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void report(String java, String torch, float[] expected, float[] actual) throws Exception {
        double scale = CheckpointsMatchLpotTest.info(CASE).get("output_scale").asDouble();
        System.out.printf("%s: Java %s vs torch %s: %s%n", CASE, java, torch,
                StepDistance.between(expected, actual, scale));
    }
}
