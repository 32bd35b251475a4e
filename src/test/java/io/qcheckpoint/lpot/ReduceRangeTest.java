package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.config.Algorithm;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.testing.PythonTorch;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code Tuner.reduceRange}: LPOT's {@code REDUCE_RANGE} both ways. The oracle is LPOT's
 * quantize in {@code lpot_models.py} with torch 1.13's observers built with
 * {@code reduce_range=True} or {@code False}, on the same config, fp32 weights and calibration
 * batches: every output scale and zero point Java calibrates is torch's (scales to float32
 * rounding of differently computed activations, zero points within one), and reducing the range
 * roughly doubles the asymmetric activation scales.
 */
class ReduceRangeTest {
    private static final int BATCHES = 4;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"minmax", "kl"})
    void calibratedQParamsAreTorchsWithAndWithoutReduceRange(String algorithm) throws Exception {
        Map<Boolean, Map<String, Double>> scales = new LinkedHashMap<>();
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = fused()) {
            List<NDArray> batches = new ArrayList<>();
            List<Tensor> tensors = new ArrayList<>();
            for (int i = 0; i < BATCHES; i++) {
                NDArray b = m.randomNormal(0, 1, new Shape(2, 3, 8, 8), DataType.FLOAT32);
                batches.add(b);
                tensors.add(TensorArrays.toTensor(b));
            }
            Path batchesFile = dir.resolve("batches.pt");
            Path fp32File = dir.resolve("fp32_sd.pt");
            TorchFiles.write(batchesFile, tensors);
            TorchFiles.write(fp32File, fp32.stateDict());
            for (boolean reduceRange : List.of(false, true)) {
                Path checkpoint = dir.resolve(algorithm + "_" + reduceRange);
                Tuner tuner = Tuner.defaults().withCalibration(batches).withEvaluation(q -> 1.0).withReduceRange(reduceRange)
                        .withActivationAlgorithms(List.of(Algorithm.parse(algorithm).orElseThrow()));
                StateDict java;
                try (TuningResult r = tuner.tune(fp32)) {
                    r.model().save(checkpoint);
                    java = r.model().module().stateDict();
                }
                Path torchFile = dir.resolve(algorithm + "_" + reduceRange + "_torch.pt");
                PythonTorch.run("lpot_models.py", "quantize", "dropout_net",
                        checkpoint.resolve(EagerQuantizedModel.CONFIG_FILE).toString(), batchesFile.toString(),
                        torchFile.toString(), reduceRange ? "reduce_range" : "full_range", "--fp32", fp32File.toString());
                StateDict torch = TorchFiles.readStateDict(torchFile);
                assertEquals(torch.keys(), java.keys());
                scales.put(reduceRange, compareQParams(torch, java, algorithm + " reduce_range=" + reduceRange));
            }
        }
        for (String key : scales.get(false).keySet()) {
            double ratio = scales.get(true).get(key) / scales.get(false).get(key);
            // 255 / 127 for a min-max range; kl picks its range from the histogram of 128 levels instead of 256
            assertTrue(ratio > 1.5 && ratio < 2.6, key + ": reduce_range scale / full scale = " + ratio);
        }
    }

    /** Asserts Java's output qparams are torch's; returns Java's scales by key. */
    private static Map<String, Double> compareQParams(StateDict torch, StateDict java, String what) {
        Map<String, Double> scales = new LinkedHashMap<>();
        for (String key : torch.keys()) {
            if (key.endsWith(".scale")) {
                double t = torch.tensor(key).toFloatArray()[0];
                double j = java.tensor(key).toFloatArray()[0];
                assertEquals(t, j, Math.abs(t) * 1e-4, what + " " + key);
                scales.put(key, j);
            } else if (key.endsWith(".zero_point")) {
                long t = torch.tensor(key).toLongArray()[0];
                long j = java.tensor(key).toLongArray()[0];
                assertTrue(Math.abs(t - j) <= 1, what + " " + key + ": torch " + t + ", java " + j);
                assertTrue(j >= 0 && j <= (what.endsWith("true") ? 127 : 255), what + " " + key + " = " + j);
            }
        }
        assertEquals(3, scales.size(), what + ": quant, conv and fc have output scales " + scales.keySet());
        return scales;
    }

    private static Module fused() {
        try (Module unfused = new LpotModels.DropoutNet().eval()) {
            return FuseModules.fuseModules(unfused, List.of(List.of("conv", "relu")));
        }
    }
}
