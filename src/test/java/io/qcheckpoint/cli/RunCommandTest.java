package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.TorchOutputs;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * {@code qcheckpoint run} loads a checkpoint onto a model class found on a class path and writes
 * the output torch computed for the same checkpoint.
 */
class RunCommandTest {
    private static final Path LPOT = Path.of("src/test/resources/fixtures/lpot");

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"lpot15_static, FusedRefNet", "lpot15_qat, FusedRefNet", "lpot15_dynamic, RefNet"})
    void reproducesTorchsOutput(String name, String model) throws Exception {
        Path out = dir.resolve("out.pt");
        String classes = Path.of(LpotModels.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Cli.Result r = Cli.run("run", LPOT.resolve(name), "--model", LpotModels.class.getName() + "$" + model,
                "--classpath", classes, "--fp32-weights", LPOT.resolve(name).resolve("fp32_sd.pt"),
                "--input", LPOT.resolve(name).resolve("input.pt"), "--output", out);
        assertEquals(0, r.exitCode(), r.err());
        float[] actual = ((Tensor) TorchFiles.read(out).root()).toFloatArray();
        var info = new ObjectMapper().readTree(LPOT.resolve(name).resolve("case.json").toFile());
        TorchOutputs.assertLpotOutput(info, TorchOutputs.lpot(name), actual);
    }

    @Test
    void ipexCheckpointsRunWithTheInputAsTheExample() throws Exception {
        Path ipex = Path.of("src/test/resources/fixtures/ipex");
        Path out = dir.resolve("out.pt");
        Cli.Result r = Cli.run("run", ipex, "--model", LpotModels.IpexNet.class.getName(), "--fp32-weights",
                ipex.resolve("fp32_sd.pt"), "--input", ipex.resolve("input.pt"), "--output", out);
        assertEquals(0, r.exitCode(), r.err());
        var info = new ObjectMapper().readTree(ipex.resolve("case.json").toFile());
        float[] actual = ((Tensor) TorchFiles.read(out).root()).toFloatArray();
        TorchOutputs.ipex().assertWithinOneStep(actual, info.get("output_scale").asDouble(), "ipex");
    }

    @Test
    void anInputThatDoesNotFitIsBadInputNamingTheModule() throws Exception {
        Path classes = ReadmeTest.compileExampleModel(java.nio.file.Files.createDirectory(dir.resolve("classes")));
        Path fourChannels = dir.resolve("in.pt");
        TorchFiles.write(fourChannels, Tensor.fromFloats(new float[2 * 4 * 8 * 8], 2, 4, 8, 8));
        Path example = ReadmeTest.EXAMPLE;
        Cli.Result r = Cli.run("run", example.resolve("checkpoint"), "--model", "RefNet", "--classpath", classes,
                "--fp32-weights", example.resolve("fp32_weights.pt"), "--input", fourChannels, "--output", dir.resolve("o.pt"));
        MainTest.assertOneErrorLine(r, fourChannels + ": does not fit the model: conv (quantized.ConvReLU2d): "
                + "expected input [N, 3, H, W] quantized, got [2, 4, 8, 8] quantized");
    }

    @Test
    void underQnnpackTheOutputEqualsTorchsQnnpackOutputAndTheEngineIsRestored() throws Exception {
        String name = "lpot15_static";
        io.qcheckpoint.kernels.QuantizedEngine before = io.qcheckpoint.kernels.QuantizedEngines.get();
        Path in = LPOT.resolve(name).resolve("input.pt");
        Path out = dir.resolve("q.pt");
        Path torchOut = dir.resolve("torch.pt");
        String classes = Path.of(LpotModels.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        Cli.Result r = Cli.run("run", LPOT.resolve(name), "--model", LpotModels.class.getName() + "$FusedRefNet",
                "--classpath", classes, "--fp32-weights", LPOT.resolve(name).resolve("fp32_sd.pt"), "--input", in,
                "--output", out, "--engine", "qnnpack");
        assertEquals(0, r.exitCode(), r.err());
        assertEquals(before, io.qcheckpoint.kernels.QuantizedEngines.get());
        io.qcheckpoint.testing.PythonTorch.run("lpot_models.py", "check", LPOT.resolve(name).toString(), name,
                in.toString(), torchOut.toString(), "--engine", "qnnpack");
        org.junit.jupiter.api.Assertions.assertArrayEquals(((Tensor) TorchFiles.read(torchOut).root()).toFloatArray(),
                ((Tensor) TorchFiles.read(out).root()).toFloatArray());
    }

    @Test
    void anUnknownEngineIsAUsageErrorListingTheSupportedOnes() {
        Path in = LPOT.resolve("lpot15_static").resolve("input.pt");
        Cli.Result r = Cli.run("run", LPOT.resolve("lpot15_static"), "--model", LpotModels.class.getName() + "$RefNet",
                "--input", in, "--output", dir.resolve("o.pt"), "--engine", "mkldnn");
        assertEquals(2, r.exitCode(), r.err());
        assertTrue(r.err().contains("--engine") && r.err().contains("qnnpack"), r.err());
    }

    @Test
    void badModelClassesAreUsageErrors() {
        Path in = LPOT.resolve("lpot15_static").resolve("input.pt");
        for (String cls : new String[] {"no.such.Model", "java.lang.String", LpotModels.class.getName()}) {
            Cli.Result r = Cli.run("run", LPOT.resolve("lpot15_static"), "--model", cls, "--input", in, "--output",
                    dir.resolve("o.pt"));
            assertEquals(2, r.exitCode(), r.err());
            assertTrue(r.err().contains(cls), r.err());
        }
    }
}
