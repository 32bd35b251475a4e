package io.qcheckpoint.torchscript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.lpot.LpotOps;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A BERT-style encoder with Hugging Face's {@code BertForSequenceClassification} layout, traced by torch
 * 1.13 with input ids and an attention mask (bert_encoder.py), imported from its TorchScript file, and
 * an LPOT dynamic int8 checkpoint of it loaded onto the imported model.
 *
 * <p>Dynamic quantization leaves no output quantization step to count in: each Linear quantizes its
 * float input on the fly and returns float. So the int8 output is compared in relative error, against
 * torch's on the same engine: at most 1e-4 of the largest logit. (Measured: 1e-7, the float kernels'
 * last bits; the int8 model is 1e-2 away from the float one, and torch's qnnpack and onednn outputs
 * are 1e-2 apart, so a wrong scale or a Linear left in float is 100 times over.)
 */
class BertEncoderTest {
    private static final double SAME_ENGINE_REL = 1e-4;

    @TempDir
    static Path dir;
    private static JsonNode info;

    @BeforeAll
    static void generate() throws Exception {
        PythonTorch.run("bert_encoder.py", "generate", dir.toString());
        info = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    }

    @Test
    void theImportedEncoderHasTorchsKeysAndFloatOutput() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"))) {
            List<String> keys = new ArrayList<>();
            info.get("fp32_keys").forEach(k -> keys.add(k.asText()));
            assertEquals(keys, new ArrayList<>(fp32.stateDict().keys()), "state dict keys");
            QuantizedModelsTestSupport.assertClose(tensor("float_output.pt").toFloatArray(),
                    fp32.forward(inputs(m)).toFloatArray(), 1e-5, "float logits");
        }
    }

    /** LPOT's dynamic approach lists torch's dynamic types; this library quantizes its Linears, as the checkpoint does. */
    @Test
    void theOpsAreLpotsLinears() throws Exception {
        List<String> linears = new ArrayList<>();
        info.get("ops").forEach(op -> {
            if (op.get(1).asText().equals("Linear")) {
                linears.add(op.get(0).asText());
            }
        });
        try (Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"))) {
            assertEquals(linears, LpotOps.quantizableOps(fp32, Approach.POST_TRAINING_DYNAMIC_QUANT).stream()
                    .map(OpKey::name).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qnnpack", "onednn"})
    void theDynamicCheckpointGivesTorchsInt8OutputOnTheSameEngine(String engine) throws Exception {
        float[] java = int8Logits(QuantizedEngine.of(engine));
        QuantizedModelsTestSupport.assertClose(tensor("int8_output_" + engine + ".pt").toFloatArray(), java,
                SAME_ENGINE_REL, engine + " int8 logits");
    }

    /**
     * On each side's default engine (torch 1.13: onednn; libtorch 2.7: x86, whose dynamic Linear is
     * fbgemm's) the int8 arithmetic is exact on both, and only the float rescaling may round otherwise:
     * the same bound holds. (Measured: 6e-8, natively and under ATEN_CPU_CAPABILITY=default with
     * ONEDNN_MAX_CPU_ISA=AVX2; torch's own qnnpack and onednn outputs are 0.008-0.023 apart.)
     */
    @Test
    void onTheDefaultEnginesJavaGivesTorchsInt8Output() throws Exception {
        float[] java = int8Logits(QuantizedEngines.get());
        String torchDefault = info.get("default_engine").asText();
        QuantizedModelsTestSupport.assertClose(tensor("int8_output_" + torchDefault + ".pt").toFloatArray(), java,
                SAME_ENGINE_REL, "Java on " + QuantizedEngines.get() + " against torch on " + torchDefault);
    }

    /**
     * The imported encoder quantized in Java with the checkpoint's tune config (dynamic: no calibration) and
     * saved: torch loads that checkpoint with LPOT's semantics onto its eager model and computes what Java
     * computes, on the same engine.
     */
    @Test
    void javaQuantizesTheImportedEncoderAndTorchLoadsItsCheckpoint() throws Exception {
        QuantizedEngine before = QuantizedEngines.get();
        QuantizedEngines.set(QuantizedEngine.QNNPACK);
        Path saved = dir.resolve("java_checkpoint");
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"));
                EagerQuantizedModel q = EagerQuantizedModel.quantize(
                        Checkpoints.readTuneConfig(dir.resolve("checkpoint")), fp32, List.of())) {
            float[] java = q.forward(inputs(m)).toFloatArray();
            q.save(saved);
            PythonTorch.run("bert_encoder.py", "check", saved.toString(), dir.toString(), "qnnpack");
            QuantizedModelsTestSupport.assertClose(tensor("torch_on_checkpoint.pt").toFloatArray(), java,
                    SAME_ENGINE_REL, "torch on the checkpoint Java saved");
        } finally {
            QuantizedEngines.set(before);
        }
    }

    @Test
    void theEncoderTakesItsTwoInputsAndNothingElse() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"))) {
            NDList both = inputs(m);
            ForwardException one = assertThrows(ForwardException.class, () -> fp32.forward(both.head()));
            assertEquals("BertForSequenceClassification: forward takes 2 inputs, got 1", one.getMessage());
            ForwardException swapped = assertThrows(ForwardException.class,
                    () -> fp32.forward(new NDList(both.get(1).toType(ai.djl.ndarray.types.DataType.FLOAT32, false),
                            both.get(0))));
            assertTrue(swapped.getMessage().startsWith("bert.embeddings.word_embeddings (Embedding)"),
                    swapped.getMessage());
        }
    }

    /** Operations on a module's own tensors (a slice of the position_ids buffer) leave nothing with the module. */
    @Test
    void forwardLeavesNothingWithTheModel() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"))) {
            Module embeddings = fp32.module("bert.embeddings");
            NDManager owner = embeddings.namedBuffers().get("position_ids").getManager();
            int before = owner.getManagedArrays().size();
            for (int i = 0; i < 3; i++) {
                try (NDManager call = m.newSubManager()) {
                    NDList in = inputs(call);
                    fp32.forward(in);
                }
            }
            assertEquals(before, owner.getManagedArrays().size(), "arrays the embeddings' manager holds");
        }
    }

    private static float[] int8Logits(QuantizedEngine engine) throws Exception {
        QuantizedEngine before = QuantizedEngines.get();
        QuantizedEngines.set(engine);
        try (NDManager m = NDManager.newBaseManager(); Module fp32 = TorchScriptModels.load(dir.resolve("fp32.pt"));
                QuantizedModel<?> q = Checkpoints.load(dir.resolve("checkpoint"), fp32)) {
            Map<String, Module> modules = q.module().namedModules();
            for (JsonNode op : info.get("ops")) {
                Module module = modules.get(op.get(0).asText());
                if (op.get(1).asText().equals("Linear")) {
                    assertInstanceOf(io.qcheckpoint.nn.quantized.dynamic.Linear.class, module, op.toString());
                } else {
                    assertInstanceOf(ScriptedModule.class, module, op + " stays float");
                }
            }
            return q.forward(inputs(m)).toFloatArray();
        } finally {
            QuantizedEngines.set(before);
        }
    }

    private static NDList inputs(NDManager m) throws IOException {
        return new NDList(TensorArrays.toNDArray(m, tensor("input_ids.pt")),
                TensorArrays.toNDArray(m, tensor("attention_mask.pt")));
    }

    private static Tensor tensor(String file) throws IOException {
        return (Tensor) TorchFiles.read(dir.resolve(file)).root();
    }
}
