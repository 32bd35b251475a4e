package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code inspect FP32.pt} and {@code run --torchscript}: no Java model class needed. */
class TorchScriptCliTest {
    private static final Path TINY = Path.of("src/test/resources/fixtures/torchscript/tiny_trace.pt");

    @TempDir
    Path dir;

    @Test
    void inspectShowsTheImportedTree() {
        Cli.Result r = Cli.run("inspect", TINY);
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().matches("(?s).*\\(root\\)\\s+TinyNet \\(scripted\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*conv1\\.0\\s+Conv2d\\s+weight \\(8, 3, 3, 3\\), bias \\(8\\).*"), r.out());
        assertTrue(r.out().matches("(?s).*fc\\s+Linear\\s+weight \\(5, 8\\), bias \\(5\\).*"), r.out());
    }

    @Test
    void runTakesTheTorchScriptFileAsTheModel() throws Exception {
        PythonTorch.run("torchscript_models.py", "generate", "resnet18", "trace", dir.toString(), "qnnpack");
        Path out = dir.resolve("out.pt");
        Cli.Result r = Cli.run("run", dir.resolve("checkpoint"), "--torchscript", dir.resolve("fp32.pt"), "--input",
                dir.resolve("input.pt"), "--output", out, "--engine", "qnnpack");
        assertEquals(0, r.exitCode(), r.toString());
        assertArrayEquals(((Tensor) TorchFiles.read(dir.resolve("int8_output.pt")).root()).toFloatArray(),
                ((Tensor) TorchFiles.read(out).root()).toFloatArray());
    }

    /** A model of two inputs takes them as two --input files, in the order of its forward's parameters. */
    @Test
    void runTakesSeveralInputs() throws Exception {
        PythonTorch.run("bert_encoder.py", "generate", dir.toString());
        Path out = dir.resolve("out.pt");
        Cli.Result r = Cli.run("run", dir.resolve("checkpoint"), "--torchscript", dir.resolve("fp32.pt"),
                "--input", dir.resolve("input_ids.pt"), "--input", dir.resolve("attention_mask.pt"), "--output", out,
                "--engine", "qnnpack");
        assertEquals(0, r.exitCode(), r.toString());
        QuantizedModelsTestSupport.assertClose(
                ((Tensor) TorchFiles.read(dir.resolve("int8_output_qnnpack.pt")).root()).toFloatArray(),
                ((Tensor) TorchFiles.read(out).root()).toFloatArray(), 1e-4, "BERT-style encoder's int8 logits");

        Cli.Result one = Cli.run("run", dir.resolve("checkpoint"), "--torchscript", dir.resolve("fp32.pt"),
                "--input", dir.resolve("input_ids.pt"), "--output", dir.resolve("one.pt"));
        assertEquals(2, one.exitCode(), one.toString());
        assertTrue(one.err().contains("input_ids.pt: does not fit the model: BertForSequenceClassification: forward"
                + " takes 2 inputs, got 1"), one.toString());
    }

    @Test
    void runNeedsExactlyOneModel() {
        Cli.Result r = Cli.run("run", dir, "--input", TINY, "--output", dir.resolve("o.pt"));
        assertEquals(2, r.exitCode(), r.toString());
        assertTrue(r.err().contains("--model CLASS or --torchscript FP32.pt"), r.toString());
    }
}
