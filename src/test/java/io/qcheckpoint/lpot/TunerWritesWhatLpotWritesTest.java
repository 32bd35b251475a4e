package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.config.Algorithm;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.lpot.LpotOps;
import io.qcheckpoint.nn.BatchNorm;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.nn.intrinsic.ConvBn2d;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.nn.quantized.QuantizedModule;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.testing.PythonTorch;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningException;
import io.qcheckpoint.tuning.TuningResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What the Java tuner writes is what LPOT 1.5 writes: the ops it lists for every module type, and
 * the {@code best_configure.yaml} of a tuned model with a Dropout, one with a BatchNorm3d, and a
 * dynamic model with calibration data, against {@code lpot_models.py}, which lists ops with torch 1.13's own mappings
 * and LPOT's rules, picks each op's algorithm from LPOT's capabilities, computes
 * {@code calib_iteration} as LPOT's strategy does and dumps the config with PyYAML as LPOT does.
 * The tuned checkpoints then load in torch with LPOT's semantics and give the outputs Java gives.
 */
class TunerWritesWhatLpotWritesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BATCHES = 3;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Approach.class)
    void everyModuleTypeIsListedAsLpotListsIt(Approach approach) throws Exception {
        List<String> lpot = new ArrayList<>();
        JSON.readTree(PythonTorch.run("lpot_models.py", "ops", "op_types", approach.value()))
                .forEach(op -> lpot.add(op.get(0).asText() + ":" + op.get(1).asText()));
        try (Module model = new LpotModels.OpTypesNet()) {
            assertEquals(lpot, LpotOps.quantizableOps(model, approach).stream()
                    .map(op -> op.name() + ":" + op.type()).toList());
        }
        assertTrue(lpot.contains("drop:Dropout") == (approach != Approach.POST_TRAINING_DYNAMIC_QUANT), lpot.toString());
    }

    /** A static model with a Dropout (listed, converted to torch's quantized Dropout), and one with a BatchNorm3d. */
    @ParameterizedTest
    @CsvSource({"dropout_net, drop, fc", "bn3d_net, bn, bn"})
    void staticModelsTuneToTheConfigLpotWrites(String name, String op, String last) throws Exception {
        Shape shape = name.equals("dropout_net") ? new Shape(2, 3, 8, 8) : new Shape(2, 2, 3, 4, 4);
        for (Algorithm algorithm : List.of(Algorithm.MINMAX, Algorithm.KL)) {
            Path checkpoint = dir.resolve(name + "_" + algorithm.value());
            try (NDManager m = NDManager.newBaseManager(); Module fp32 = fused(name)) {
                List<NDArray> batches = batches(m, shape);
                Tuner tuner = Tuner.defaults().withCalibration(batches).withActivationAlgorithms(List.of(algorithm))
                        .withEvaluation(q -> 1.0);
                try (TuningResult r = tuner.tune(fp32)) {
                    r.model().save(checkpoint);
                    Module quantized = r.model().module().module(op);
                    assertTrue(quantized.getClass().getPackageName().equals("io.qcheckpoint.nn.quantized"),
                            op + " is a " + quantized.getClass().getName());
                    double scale = ((QuantizedModule) r.model().module().module(last)).scale();
                    checkInTorch(checkpoint, name, fp32, r.model(), m, shape, scale);
                }
            }
            // LPOT's sampling_size / batch_size: every batch, 2 inputs each
            String lpot = PythonTorch.run("lpot_models.py", "tune-config", name,
                    Approach.POST_TRAINING_STATIC_QUANT.value(), algorithm.value(), Integer.toString(2 * BATCHES), "2");
            assertEquals(lpot, Files.readString(checkpoint.resolve(EagerQuantizedModel.CONFIG_FILE)), algorithm.value());
        }
    }

    @Test
    void aDynamicModelWithCalibrationDataTunesToTheConfigLpotWrites() throws Exception {
        Path withData = dir.resolve("dynamic_data");
        Path withoutData = dir.resolve("dynamic_none");
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = fused("relu_dropout_mlp")) {
            Tuner builder = Tuner.defaults().withApproach(Approach.POST_TRAINING_DYNAMIC_QUANT).withEvaluation(q -> 1.0);
            try (TuningResult r = builder.withCalibration(batches(m, new Shape(3, 16))).tune(fp32)) {
                r.model().save(withData);
                assertTrue(r.model().module().module("fc1") instanceof io.qcheckpoint.nn.quantized.dynamic.LinearReLU);
                checkInTorch(withData, "relu_dropout_mlp", fp32, r.model(), m, new Shape(3, 16), Double.NaN);
            }
            try (TuningResult r = Tuner.defaults().withApproach(Approach.POST_TRAINING_DYNAMIC_QUANT).withEvaluation(q -> 1.0).tune(fp32)) {
                r.model().save(withoutData);
            }
        }
        String dynamic = Approach.POST_TRAINING_DYNAMIC_QUANT.value();
        assertEquals(PythonTorch.run("lpot_models.py", "tune-config", "relu_dropout_mlp", dynamic, "minmax",
                Integer.toString(3 * BATCHES), "3"), Files.readString(withData.resolve(EagerQuantizedModel.CONFIG_FILE)));
        assertEquals(PythonTorch.run("lpot_models.py", "tune-config", "relu_dropout_mlp", dynamic, "minmax"),
                Files.readString(withoutData.resolve(EagerQuantizedModel.CONFIG_FILE)));
    }

    /** LPOT lists a ConvBn2d fused for training, which no static mapping converts: refused naming the op. */
    @Test
    void aTrainingFusedConvBnIsRefusedNamingTheOp() {
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = new ConvBnNet().eval()) {
            Tuner tuner = Tuner.defaults().withCalibration(batches(m, new Shape(2, 2, 4, 4))).withEvaluation(q -> 1.0);
            TuningException e = assertThrows(TuningException.class, () -> tuner.tune(fp32));
            assertTrue(e.getMessage().contains("op 'cb' (ConvBn2d)"), e.getMessage());
        }
    }

    /** quant, cb (a ConvBn2d, as QAT fusion leaves it), dequant. */
    private static final class ConvBnNet extends Module {
        ConvBnNet() {
            register("quant", new QuantStub());
            register("cb", new ConvBn2d(new Conv2d(2, 2, 1), new io.qcheckpoint.nn.BatchNorm2d(2)));
            register("dequant", new DeQuantStub());
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("dequant", call("cb", call("quant", x)));
        }
    }

    /**
     * Loads the Java-saved checkpoint in torch with LPOT's semantics (on the same fp32 weights) and
     * compares its output with Java's: within one output step for a static model (its last scale),
     * else relatively.
     */
    private void checkInTorch(Path checkpoint, String name, Module fp32, EagerQuantizedModel q, NDManager m, Shape shape,
            double outputScale) throws Exception {
        Path fp32File = dir.resolve(name + "_fp32_sd.pt");
        Path inputFile = dir.resolve(name + "_input.pt");
        Path outputFile = dir.resolve(name + "_torch_out.pt");
        TorchFiles.write(fp32File, fp32.stateDict());
        NDArray x = m.randomNormal(0, 1, shape, DataType.FLOAT32);
        TorchFiles.write(inputFile, TensorArrays.toTensor(x));
        JsonNode torch = JSON.readTree(PythonTorch.run("lpot_models.py", "check", checkpoint.toString(), name,
                inputFile.toString(), outputFile.toString(), "--fp32", fp32File.toString()));
        float[] expected = ((Tensor) TorchFiles.read(outputFile).root()).toFloatArray();
        float[] actual = q.forward(x).toFloatArray();
        if (Double.isNaN(outputScale)) {
            QuantizedModelsTestSupport.assertClose(expected, actual, 1e-4, name);
        } else {
            QuantizedModelsTestSupport.assertWithinOneStep(expected, actual, outputScale, name);
        }
        List<String> javaKeys = new ArrayList<>(q.module().stateDict().keys());
        assertEquals(CheckpointsMatchLpotTest.strings(torch.get("keys")), javaKeys, name + ": torch's state dict keys");
    }

    /** The case's model, fused as lpot_models.py fuses it, batch norms with seeded non-trivial statistics. */
    private static Module fused(String name) throws StateDictMismatchException {
        Module model = LpotModels.forCase(name).eval();
        Random random = new Random(name.hashCode());
        for (Module m : model.namedModules().values()) {
            if (m instanceof BatchNorm bn) {
                StateDict sd = bn.stateDict();
                for (String key : List.of("weight", "bias", "running_mean", "running_var")) {
                    float[] v = new float[bn.numFeatures()];
                    for (int i = 0; i < v.length; i++) {
                        v[i] = key.equals("bias") || key.equals("running_mean") ? (float) random.nextGaussian() * 0.2f
                                : 0.5f + random.nextFloat();
                    }
                    sd.put(key, Tensor.fromFloats(v, v.length));
                }
                bn.loadStateDict(sd, true);
            }
        }
        List<List<String>> groups = switch (name) {
            case "dropout_net" -> List.of(List.of("conv", "relu"));
            case "relu_dropout_mlp" -> List.of(List.of("fc1", "relu"));
            default -> List.of();
        };
        if (groups.isEmpty()) {
            return model;
        }
        try (Module unfused = model) {
            return FuseModules.fuseModules(unfused, groups);
        }
    }

    private static List<NDArray> batches(NDManager m, Shape shape) {
        List<NDArray> out = new ArrayList<>();
        for (int i = 0; i < BATCHES; i++) {
            out.add(m.randomNormal(0, 1, shape, DataType.FLOAT32));
        }
        return out;
    }
}
