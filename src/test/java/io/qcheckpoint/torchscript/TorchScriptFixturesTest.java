package io.qcheckpoint.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Dropout;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU6;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.tuning.StopReason;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The small committed files of torchscript_fixtures.py: a tiny model with every kind of module the
 * type table builds, traced and scripted, and hostile archives.
 */
class TorchScriptFixturesTest {
    private static final Path DIR = Path.of("src/test/resources/fixtures/torchscript");

    @ParameterizedTest
    @ValueSource(strings = {"tiny_trace.pt", "tiny_script.pt"})
    void tinyModelImportsAsTorchsTreeAndGivesTorchsOutput(String file) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Module model = TorchScriptModels.load(DIR.resolve(file))) {
            Map<String, Class<?>> types = new LinkedHashMap<>();
            model.namedModules().forEach((path, mod) -> types.put(path, mod.getClass()));
            assertEquals(ScriptedModule.class, types.get(""));
            assertEquals(QuantStub.class, types.get("quant"));
            assertEquals(ConvReLU2d.class, types.get("conv1"));
            assertEquals(Conv2d.class, types.get("conv2"));
            assertEquals(FloatFunctional.class, types.get("skip"));
            assertEquals(ReLU6.class, types.get("act"));
            assertEquals(MaxPool2d.class, types.get("pool"));
            assertEquals(AdaptiveAvgPool2d.class, types.get("avg"));
            assertEquals(Flatten.class, types.get("flatten"));
            assertEquals(Dropout.class, types.get("drop"));
            assertEquals(Linear.class, types.get("fc"));
            assertEquals(DeQuantStub.class, types.get("dequant"));
            Conv2d conv2 = (Conv2d) model.module("conv2");
            assertEquals(2, conv2.groups(), "groups from the code's constants");
            assertEquals(null, conv2.bias());
            assertEquals(0.25, ((Dropout) model.module("drop")).p());
            assertEquals(2, ((MaxPool2d) model.module("pool")).stride()[0]);

            NDArray x = TensorArrays.toNDArray(m, tensor("input.pt"));
            QuantizedModelsTestSupport.assertClose(tensor("float_output.pt").toFloatArray(),
                    model.forward(x).toFloatArray(), 1e-5, file);
        }
    }

    /** An input the model cannot take is the caller's error, named with the module that refused it. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_trace.pt", "tiny_script.pt"})
    void anInputThatDoesNotFitGivesAForwardException(String file) throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Module model = TorchScriptModels.load(DIR.resolve(file))) {
            ForwardException e = assertThrows(ForwardException.class, () -> model.forward(m.ones(new Shape(2, 4, 8, 8))));
            assertEquals("conv1.0", e.modulePath(), e.getMessage());
        }
    }

    /** The tuner takes an imported model: it lists the ops LPOT lists for the eager model, and its int8 model runs. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_trace.pt", "tiny_script.pt"})
    void tunerTakesAnImportedModel(String file) throws Exception {
        List<String> lpot = new ArrayList<>();
        new ObjectMapper().readTree(DIR.resolve("tiny_ops.json").toFile())
                .forEach(op -> lpot.add(op.get(0).asText() + ":" + op.get(1).asText()));
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(DIR.resolve(file));
                TuningResult r = Tuner.defaults().withCalibration(List.of(TensorArrays.toNDArray(m, tensor("input.pt"))))
                        .withEvaluation(q -> 1.0).tune(fp32)) {
            assertEquals(StopReason.CRITERION_MET, r.stopReason());
            assertEquals(lpot, r.best().tuneConfig().ops().keySet().stream().map(k -> k.name() + ":" + k.type()).toList());
            NDArray y = r.model().forward(TensorArrays.toNDArray(m, tensor("input.pt")));
            assertEquals(List.of(2L, 5L), java.util.Arrays.stream(y.getShape().getShape()).boxed().toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"hostile_global.pt", "hostile_truncated.pt", "hostile_op.pt", "hostile_loop.pt",
        "hostile_stub.pt"})
    void hostileArchivesAreRefusedByName(String file) throws Exception {
        JsonNode expected = new ObjectMapper().readTree(DIR.resolve("expected.json").toFile());
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchScriptModels.load(DIR.resolve(file)));
        String message = e.getMessage();
        assertTrue(message.contains(file), message);
        assertTrue(message.contains(expected.get(file).asText()), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hostile_op.pt", "hostile_loop.pt", "hostile_stub.pt"})
    void codeOutsideTheTablesIsRefusedWithItsClassAndLine(String file) {
        UnsupportedScriptException e = assertThrows(UnsupportedScriptException.class,
                () -> TorchScriptModels.load(DIR.resolve(file)));
        assertTrue(e.getMessage().matches(".*code/__torch__\\.py line \\d+: class __torch__\\.\\w+: .*"), e.getMessage());
    }

    private static Tensor tensor(String file) throws Exception {
        return (Tensor) TorchFiles.read(DIR.resolve(file)).root();
    }
}
