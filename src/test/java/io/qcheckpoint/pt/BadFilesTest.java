package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The corpus of malicious and damaged files that {@code generate_bad_fixtures.py} writes: each gives
 * the exception its manifest names, naming the file (and the refused global), quickly and without
 * allocating beyond what the file's size allows; no payload runs (each would create a marker file
 * under /tmp if executed).
 */
class BadFilesTest {
    private static final Path BAD = Path.of("src/test/resources/fixtures/bad");

    @TestFactory
    Stream<DynamicTest> eachBadFileGivesItsDocumentedException() throws IOException {
        JsonNode manifest = new ObjectMapper().readTree(BAD.resolve("manifest.json").toFile());
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode entry : manifest) {
            tests.add(DynamicTest.dynamicTest(entry.get("file").asText(), () -> check(entry)));
        }
        assertTrue(tests.size() >= 40, "the corpus is complete");
        return tests.stream();
    }

    private static void check(JsonNode entry) throws IOException {
        Path file = BAD.resolve(entry.get("file").asText());
        CheckpointException e = entry.has("max_allocation") ? ReadOutcome.read(file, entry.get("max_allocation").asLong())
                : ReadOutcome.read(file);
        assertNotNull(e, file + " was read without complaint (" + entry.get("why").asText() + ")");
        Class<?> expected = entry.get("expect").asText().equals("unsafe")
                ? UnsafeCheckpointException.class : CheckpointFormatException.class;
        assertEquals(expected, e.getClass(), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
        JsonNode global = entry.get("global");
        if (!global.isNull()) {
            assertTrue(e.getMessage().contains(global.asText().replace(' ', '.')), "names the global: " + e.getMessage());
        }
    }

    /** The operating system's own reasons name no file ("Is a directory"); the reader's message does. */
    @Test
    void anUnreadablePathIsNamed(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class, () -> TorchFiles.read(dir));
        assertTrue(e.getMessage().startsWith(dir + ": "), e.getMessage());
    }

    @AfterAll
    static void nothingRan() throws IOException {
        try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
            assertFalse(tmp.anyMatch(p -> p.getFileName().toString().startsWith("qcheckpoint-pwned")),
                    "a payload ran: a /tmp/qcheckpoint-pwned-* marker exists");
        }
    }
}
