package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The oracle test: for every {@code X.pt} under {@code src/test/resources/fixtures/} with a sibling
 * {@code X.json} (what torch 1.13 saw in it, written by {@code src/test/python/torchdesc.py} via
 * {@code generate_pt_fixtures.py}), {@link InspectReport} must report exactly torch's
 * {@code "format"} and {@code "tensors"}: same order, keys, dtypes, shapes, quantization parameters
 * (doubles compared exactly) and SHA-256 of the elements. The JSON's other fields ("structure",
 * "weights_only", "note") are not compared here; a JSON with an "error" field means torch itself
 * could not load the file, and that file is skipped.
 *
 * <p>No Python runs here: the JSON files are committed.
 */
class InspectMatchesTorchTest {
    static final Path FIXTURES = Path.of("src/test/resources/fixtures");

    /**
     * Files torch loads that the pt reader does not yet, each with the reason. Each must still fail
     * to read in Java (so a fix shows up as a failure here: then delete its entry); it is reported
     * as skipped, not passed.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TestFactory
    Stream<DynamicTest> javaSeesWhatTorchSees() throws IOException {
        List<Path> described;
        try (Stream<Path> files = Files.walk(FIXTURES)) {
            described = files.filter(p -> p.getFileName().toString().endsWith(".json"))
                    .filter(p -> Files.isRegularFile(sibling(p)))
                    .sorted()
                    .toList();
        }
        assertFalse(described.isEmpty(), "no *.pt with a torch *.json beside it under " + FIXTURES
                + "; they are written by src/test/python/generate_pt_fixtures.py");
        return described.stream().map(json -> DynamicTest.dynamicTest(FIXTURES.relativize(sibling(json)).toString(),
                () -> check(json)));
    }

    private static void check(Path json) throws IOException {
        Path pt = sibling(json);
        String name = FIXTURES.relativize(pt).toString().replace('\\', '/');
        JsonNode torch = MAPPER.readTree(json.toFile());
        if (torch.has("error")) {
            Assumptions.abort("torch could not load it either: " + torch.get("error").asText());
        }
        ObjectNode expected = MAPPER.createObjectNode();
        expected.set("format", torch.get("format"));
        expected.set("tensors", torch.get("tensors"));
        ObjectNode actual;
        try {
            actual = InspectReport.toJson(TorchFiles.read(pt));
        } catch (CheckpointException e) {
            throw new AssertionError(name + ": torch loads it, Java does not: " + e.getMessage(), e);
        }
        List<String> diffs = JsonDiff.diff(expected, actual);
        if (!diffs.isEmpty()) {
            fail(name + ": Java and torch disagree:\n  " + String.join("\n  ", diffs)
                    + "\n  torch keys: " + JsonDiff.describeTensors(expected.get("tensors"))
                    + "\n  java keys:  " + JsonDiff.describeTensors(actual.get("tensors")));
        }
        assertEquals(List.of(), diffs);
    }

    private static Path sibling(Path json) {
        String n = json.getFileName().toString();
        return json.resolveSibling(n.substring(0, n.length() - ".json".length()) + ".pt");
    }
}
