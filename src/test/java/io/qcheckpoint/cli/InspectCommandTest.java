package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/** The table and the JSON that {@code inspect} prints. */
class InspectCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    @TestFactory
    Stream<DynamicTest> tableListsEveryKey() {
        return Cli.SAVED.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
            Cli.Result r = Cli.run("inspect", f);
            assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
            List<NamedTensor> tensors = TorchFiles.read(f).tensors();
            String[] lines = r.out().split("\\R");
            // Title, header, one row per tensor in order, total.
            assertEquals(tensors.size() + 3, lines.length, r::toString);
            assertTrue(lines[1].startsWith("KEY "), r::toString);
            for (int i = 0; i < tensors.size(); i++) {
                NamedTensor nt = tensors.get(i);
                String row = lines[i + 2];
                assertTrue(row.startsWith(nt.key() + " "), () -> "row for " + nt.key() + ": " + row);
                assertTrue(row.contains(" " + nt.tensor().dtype().torchName() + " "), row);
                assertTrue(row.endsWith(" " + nt.tensor().nbytes()), row);
            }
            long total = tensors.stream().mapToLong(nt -> nt.tensor().nbytes()).sum();
            assertTrue(lines[lines.length - 1].endsWith(" tensors, " + total + " bytes"), r::toString);
        }));
    }

    /**
     * Hashing is bounded by what the file stores: torch writes a 2^40-element stride-0 view in a few
     * hundred bytes, and one 8 MB tensor reached under 4000 keys once (32 GB of elements as a tree).
     */
    @Test
    void jsonHashesWhatIsStoredNotWhatViewsClaim(@TempDir Path dir) throws Exception {
        PythonTorch.Result made = PythonTorch.runPython(List.of("-c", String.join("\n",
                "import sys, torch",
                "torch.save({'small': torch.arange(4.0), 'huge': torch.zeros(1).expand(2 ** 40)}, sys.argv[1])",
                "t = torch.arange(2 * 1024 * 1024, dtype=torch.float32)",
                "torch.save({str(i): t for i in range(4000)}, sys.argv[2])"),
                dir.resolve("expanded.pt").toString(), dir.resolve("shared.pt").toString()));
        assertEquals(0, made.exitCode(), made.stderr());
        JsonNode expanded = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> json(Cli.run("inspect", "--json", dir.resolve("expanded.pt"))));
        JsonNode small = expanded.get("tensors").get(0);
        assertEquals(torchSha256(dir.resolve("expanded.pt"), "small"), small.get("sha256").asText());
        JsonNode huge = expanded.get("tensors").get(1);
        assertTrue(huge.get("sha256").isNull(), huge::toString);
        assertTrue(huge.get("sha256_skipped").asText().contains("4398046511104 bytes"), huge::toString);

        JsonNode shared = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> json(Cli.run("inspect", "--json", dir.resolve("shared.pt"))));
        assertEquals(4000, shared.get("tensors").size());
        String expected = torchSha256(dir.resolve("shared.pt"), "0");
        shared.get("tensors").forEach(t -> assertEquals(expected, t.get("sha256").asText(), t.get("key").asText()));
    }

    private static JsonNode json(Cli.Result r) throws IOException {
        assertEquals(0, r.exitCode(), r.err());
        return new ObjectMapper().readTree(r.out());
    }

    private static String torchSha256(Path file, String key) throws Exception {
        PythonTorch.Result r = PythonTorch.runPython(List.of("-c", String.join("\n",
                "import sys, hashlib, torch",
                "t = torch.load(sys.argv[1])[sys.argv[2]]",
                "print(hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest())"), file.toString(), key));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().strip();
    }

    @Test
    void tableSummarisesQuantization() {
        Cli.Result r = Cli.run("inspect", Cli.LPOT_STATIC);
        assertTrue(r.out().contains("per_channel_affine axis=0 (4 ch)"), r::toString);
        assertTrue(r.out().contains("[4, 3, 3, 3]"), r::toString);
        assertEquals("per_tensor_affine scale=0.5 zp=3",
                InspectReport.summary(new Quantization.PerTensor(0.5, 3)));
    }

    @Test
    void jsonIsOneObjectEqualToTheReport() throws IOException {
        Cli.Result r = Cli.run("inspect", "--json", Cli.LPOT_STATIC);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        JsonNode printed = MAPPER.readTree(r.out());
        assertEquals(List.of(), JsonDiff.diff(InspectReport.toJson(TorchFiles.read(Cli.LPOT_STATIC)), printed));
        assertEquals("torch-zip", printed.get("format").asText());
        JsonNode weight = printed.get("tensors").get(2);
        assertEquals("conv.weight", weight.get("key").asText());
        assertEquals("qint8", weight.get("dtype").asText());
        assertEquals("[4,3,3,3]", weight.get("shape").toString());
        JsonNode q = weight.get("quantization");
        assertEquals("per_channel_affine", q.get("scheme").asText());
        assertEquals(0, q.get("axis").asInt());
        assertEquals(4, q.get("scales").size());
        assertTrue(q.get("scales").get(0).isDouble());
        assertTrue(q.get("zero_points").get(0).isIntegralNumber());
        assertTrue(printed.get("tensors").get(0).get("quantization").isNull());
    }

    @Test
    void legacyFilesReportTheirFormat() throws IOException {
        Cli.Result r = Cli.run("inspect", "--json", Cli.LEGACY);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        assertEquals("torch-legacy", MAPPER.readTree(r.out()).get("format").asText());
        assertTrue(Cli.run("inspect", Cli.LEGACY).out().contains("(torch-legacy)"));
    }

    @Test
    void sha256HashesTheRowMajorElements() throws Exception {
        // A transposed view: the hash must follow the logical (row-major) order, not the storage.
        Tensor t = Tensor.fromFloats(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor transposed = Tensor.view(t.storage(), t.dtype(), 0, new long[] {3, 2}, new long[] {1, 3});
        Tensor rowMajor = Tensor.fromFloats(new float[] {1, 4, 2, 5, 3, 6}, 3, 2);
        byte[] expected = new byte[24];
        rowMajor.data().get(expected);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(expected));
        assertEquals(hex, InspectReport.sha256(transposed));
        assertEquals(hex, InspectReport.sha256(rowMajor));
    }

    @Test
    void rootTensorsAndNonFiniteQParamsAreReported() throws IOException {
        Tensor q = Tensor.view(Tensor.fromLongs(new long[] {1}, 1).storage(), io.qcheckpoint.pt.DType.INT64, 0,
                new long[] {}, new long[] {});
        Path f = dir.resolve("root.pt");
        TorchFiles.write(f, q);
        ObjectNode report = InspectReport.toJson(TorchFiles.read(f));
        assertEquals("", report.get("tensors").get(0).get("key").asText());
        assertEquals("[]", report.get("tensors").get(0).get("shape").toString());
        assertTrue(Cli.run("inspect", f).out().contains("<root>"));

        Tensor scales = Tensor.fromDoubles(new double[] {Double.NaN, Double.POSITIVE_INFINITY}, 2);
        Tensor zps = Tensor.fromLongs(new long[] {0, 0}, 2);
        Tensor qint = Tensor.view(io.qcheckpoint.pt.Storage.wrap(io.qcheckpoint.pt.DType.QINT8,
                java.nio.ByteBuffer.wrap(new byte[] {1, 2})), io.qcheckpoint.pt.DType.QINT8, 0, new long[] {2},
                new long[] {1}).withQuantization(new Quantization.PerChannel(scales, zps, 0));
        Path g = dir.resolve("nan.pt");
        TorchFiles.write(g, new StateDict().put("w", qint).put("t", Tuple.of(Map.of("x", qint))));
        JsonNode tensors = InspectReport.toJson(TorchFiles.read(g)).get("tensors");
        assertEquals("[\"nan\",\"inf\"]", tensors.get(0).get("quantization").get("scales").toString());
        assertEquals("t.0.x", tensors.get(1).get("key").asText());
    }

    @Test
    void aCheckpointDirectoryPrintsItsTuneConfig() {
        // static_wrap's config (lpot_models.py): conv1 kl, conv2 fp32, fc minmax
        Cli.Result r = Cli.run("inspect", Path.of("src/test/resources/fixtures/lpot/static_wrap"));
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().matches("(?s).*\\nquant +QuantStub +- +uint8 asym per_tensor minmax\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nconv1 +Conv2d +int8 sym per_channel minmax +uint8 asym per_tensor kl\\n.*"), r.out());
        assertTrue(r.out().matches("(?s).*\\nconv2 +Conv2d +fp32 +fp32\\n.*"), r.out());
        assertTrue(r.out().contains("4 ops; fp32 fallbacks: conv2"), r.out());
        assertEquals(2, Cli.run("inspect", Path.of("src/test/resources/fixtures/lpot")).exitCode());
    }

    @Test
    void anIpexCheckpointDirectoryPrintsItsOpsScalesZeroPointsAndFp32Ops() throws IOException {
        Path ipex = Path.of("src/test/resources/fixtures/ipex");
        Cli.Result r = Cli.run("inspect", ipex);
        assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
        String[] lines = r.out().split("\\R");
        assertTrue(lines[0].startsWith(ipex + " (IPEX"), r::toString);
        // The expected rows come from the file itself, read with Jackson, not from the code under test.
        JsonNode ops = MAPPER.readTree(ipex.resolve("best_configure.json").toFile());
        assertTrue(ops.size() > 1, "the fixture has several ops");
        List<String> fp32 = new java.util.ArrayList<>();
        for (int i = 0; i < ops.size(); i++) {
            JsonNode op = ops.get(i);
            assertEquals(List.of(op.get("id").asText(), op.get("name").asText(), op.get("algorithm").asText(),
                    op.get("weight_granularity").asText(), dtypes(op.get("inputs_uint8_used")), numbers(op.get("inputs_scale")),
                    op.has("inputs_zero_point") ? numbers(op.get("inputs_zero_point")) : "-",
                    dtypes(op.get("outputs_uint8_used")), numbers(op.get("outputs_scale")),
                    op.has("outputs_zero_point") ? numbers(op.get("outputs_zero_point")) : "-",
                    op.get("quantized").asBoolean() ? "int8" : "fp32"),
                    List.of(lines[i + 2].split(" {2,}")), r::toString);
            if (!op.get("quantized").asBoolean()) {
                fp32.add(op.get("id").asText() + " " + op.get("name").asText());
            }
        }
        assertTrue(!fp32.isEmpty(), "the fixture has an fp32 op");
        assertEquals(ops.size() + " ops; fp32 ops: " + String.join(", ", fp32), lines[lines.length - 1], r::toString);
    }

    @Test
    void aDirectoryWithPartOfACheckpointNamesTheMissingFile() throws IOException {
        java.nio.file.Files.copy(Path.of("src/test/resources/fixtures/lpot/lpot15_static/best_configure.yaml"),
                dir.resolve("best_configure.yaml"));
        Cli.Result r = Cli.run("inspect", dir);
        assertEquals(Main.EXIT_BAD_INPUT, r.exitCode(), r::toString);
        assertEquals("qcheckpoint: LPOT checkpoint in " + dir + " is missing best_model_weights.pt (found best_configure.yaml)",
                r.err().strip());
    }

    private static String dtypes(JsonNode uint8Used) {
        List<String> out = new java.util.ArrayList<>();
        uint8Used.forEach(u -> out.add(u.asBoolean() ? "uint8" : "int8"));
        return String.join(", ", out);
    }

    private static String numbers(JsonNode values) {
        List<String> out = new java.util.ArrayList<>();
        values.forEach(v -> out.add(v.isIntegralNumber() ? Long.toString(v.asLong()) : Double.toString(v.asDouble())));
        return String.join(", ", out);
    }
}
