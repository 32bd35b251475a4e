package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code copy} writes loads in real PyTorch (torch 1.13 from {@code /usr/bin/python3}) with the
 * same tensors and structure (key order, {@code _metadata}, types, views, shared storages) as the
 * file it copied, and with {@code weights_only=True} wherever torch loads the
 * original that way. Every fixture torch described (a {@code .pt} with a torch {@code .json}) is
 * copied; one Python process checks them all.
 */
class CopyLoadsInTorchTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** Loads each argument, weights-only when torch can, and prints torchdesc's JSON, one per line. */
    private static final String DESCRIBE_ALL = String.join("\n",
            "import sys",
            "sys.path.insert(0, sys.argv[1])",
            "import torchdesc",
            "for p in sys.argv[2:]:",
            "    try:",
            "        try:",
            "            obj, wo = torchdesc.load(p, weights_only=True), True",
            "        except Exception:",
            "            obj, wo = torchdesc.load(p, weights_only=False), False",
            "        d = torchdesc.describe(obj, torchdesc.file_format(p))",
            "        d['weights_only'] = wo",
            "    except Exception as e:",
            "        d = {'error': '%s: %s' % (type(e).__name__, e)}",
            "    print(torchdesc.to_json(d))");

    @TempDir
    Path dir;

    @Test
    void copiesLoadInTorchWithTheSameTensors() throws Exception {
        PythonTorch.require();
        Map<Path, JsonNode> torchViews = describedFixtures();
        Map<Path, Path> copies = new LinkedHashMap<>();
        for (Path in : torchViews.keySet()) {
            Path out = dir.resolve(copies.size() + "-" + in.getFileName());
            Cli.Result r = Cli.run("copy", in, out);
            assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
            copies.put(in, out);
        }
        assertFalse(copies.isEmpty());
        List<JsonNode> loaded = describeInTorch(copies.values());
        assertEquals(copies.size(), loaded.size());
        List<String> problems = new ArrayList<>();
        int i = 0;
        for (Map.Entry<Path, Path> e : copies.entrySet()) {
            JsonNode torch = loaded.get(i++);
            Path in = e.getKey();
            if (torch.has("error")) {
                problems.add(in + ": torch cannot load the copy: " + torch.get("error").asText());
                continue;
            }
            List<String> diffs = JsonDiff.diff(InspectReport.toJson(TorchFiles.read(in)).get("tensors"),
                    torch.get("tensors"));
            if (!diffs.isEmpty()) {
                problems.add(in + ": torch sees other tensors in the copy: " + diffs);
            }
            // Key order, _metadata, container and scalar types, views and shared storages.
            List<String> structure = JsonDiff.diff(torchViews.get(in).get("structure"), torch.get("structure"));
            if (!structure.isEmpty()) {
                problems.add(in + ": the copy's structure differs in torch: " + structure);
            }
            if (torchViews.get(in).path("weights_only").asBoolean(false) && !torch.get("weights_only").asBoolean()) {
                problems.add(in + ": torch loads the original with weights_only=True, but not the copy");
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
    }

    /** Each fixture torch loaded, with what torch saw in it. */
    private static Map<Path, JsonNode> describedFixtures() throws IOException {
        Map<Path, JsonNode> out = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(InspectMatchesTorchTest.FIXTURES)) {
            for (Path json : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                String n = json.getFileName().toString();
                Path pt = json.resolveSibling(n.substring(0, n.length() - 5) + ".pt");
                JsonNode d = Files.isRegularFile(pt) ? MAPPER.readTree(json.toFile()) : null;
                if (d != null && d.isObject() && !d.has("error")) {
                    out.put(pt, d);
                }
            }
        }
        return out;
    }

    private static List<JsonNode> describeInTorch(Iterable<Path> files) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-c", DESCRIBE_ALL, PythonTorch.SCRIPTS.toString()));
        files.forEach(p -> args.add(p.toString()));
        PythonTorch.Result r = PythonTorch.runPython(args);
        assertEquals(0, r.exitCode(), () -> "python exited " + r.exitCode() + ":\n" + r.stderr());
        List<JsonNode> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            assertTrue(line.startsWith("{"), () -> "unexpected output: " + line + "\n" + r.stderr());
            out.add(MAPPER.readTree(line));
        }
        return out;
    }
}
