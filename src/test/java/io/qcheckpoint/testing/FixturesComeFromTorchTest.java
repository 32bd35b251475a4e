package io.qcheckpoint.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed torch fixtures (files and what torch saw in them) are what their generator scripts
 * make with the real torch today: nothing in them was edited by hand or produced by the code under
 * test. Structure, integers and configs are compared exactly, what torch's float and int8 kernels
 * computed within the tolerances that {@code fixture_compare.py} states and justifies: those kernels
 * differ between CPUs, and so do even seeded {@code torch.randn} draws.
 */
class FixturesComeFromTorchTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"pt, generate_pt_fixtures.py, ''", "nn-quant, nn_models.py, generate", "nn-float, float_oracle.py, generate", "lpot, lpot_models.py, generate", "ipex, ipex_models.py, generate", "config, config_fixtures.py, generate", "torchscript, torchscript_fixtures.py, generate"})
    void regeneratingTheFixturesReproducesTheCommittedFiles(String folder, String script, String command) throws Exception {
        PythonTorch.require();
        Path committed = Path.of("src/test/resources/fixtures", folder);
        List<String> args = new ArrayList<>(List.of(PythonTorch.PYTHON.toString(), PythonTorch.SCRIPTS.resolve(script).toString()));
        if (!command.isEmpty()) {
            args.add(command);
        }
        ProcessBuilder pb = new ProcessBuilder(args)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().put("QCHECKPOINT_FIXTURES_OUT", dir.resolve("pt").toString());
        Files.createDirectories(dir.resolve("pt"));
        Process p = pb.start();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the fixture generator did not finish in five minutes");
        }
        assertEquals(0, p.exitValue(), () -> read(dir.resolve("stderr.txt")));

        JsonNode report = compare(committed, dir.resolve("pt"));
        assertEquals(names(committed).size(), report.get("files").asInt(), report::toString);
        assertTrue(report.get("files").asInt() > 0, "no fixtures compared");
        assertEquals(0, report.get("mismatches").size(), report::toPrettyString);
    }

    /** The comparison can fail: a real change to a float, an int8 output or a config is found. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "static_wrap/fp32_sd.pt | sd = torch.load(f); k = next(iter(sd)); sd[k] = sd[k] * (1 + 1e-3); torch.save(sd, f)",
        "static_wrap/output.pt | t = torch.load(f); t[0, 0] += 9 * 0.0019264458678662777; torch.save(t, f)",
        "static_wrap/best_model_weights.pt | sd = torch.load(f); sd['quant.zero_point'] += 2; torch.save(sd, f)",
        "static_wrap/best_configure.yaml | open(f, 'a').write('#')"})
    void theComparisonFindsRealChanges(String file, String change) throws Exception {
        JsonNode report = compareChanged("lpot", file, change);
        assertEquals(1, report.get("mismatches").size(), report::toPrettyString);
        assertTrue(report.get("mismatches").get(0).asText().startsWith(file + ": "), report::toPrettyString);
    }

    /**
     * In a TorchScript archive, a changed line of code or a weight moved by 1e-3 is found; the
     * generating script's path in a .debug_pkl record (it differs between checkouts) is not.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "code/ | d.replace(b'forward', b'forwarb') | 1",
        "data/0 | (torch.frombuffer(bytearray(d), dtype=torch.float32) * (1 + 1e-3)).numpy().tobytes() | 1",
        ".debug_pkl | d.replace(b'.py', b'.pY') | 0"})
    void theTorchScriptComparisonFindsRealChanges(String record, String change, int mismatches) throws Exception {
        JsonNode report = compareChanged("torchscript", "tiny_script.pt", "import zipfile; z = zipfile.ZipFile(f); "
                + "rs = [(i, z.read(i.filename)) for i in z.infolist()]; z.close(); w = zipfile.ZipFile(f, 'w'); "
                + "[w.writestr(i, (" + change + ") if '" + record + "' in i.filename else d) for i, d in rs]; w.close()");
        assertEquals(mismatches, report.get("mismatches").size(), report::toPrettyString);
        assertEquals(mismatches == 0 ? 1 : 0, report.get("within_tolerance").asInt(), report::toPrettyString);
    }

    /** Copies a fixture folder, runs {@code change} (Python, the file as {@code f}) on one file, compares. */
    private JsonNode compareChanged(String folder, String file, String change) throws Exception {
        PythonTorch.require();
        Path committed = Path.of("src/test/resources/fixtures", folder);
        Path copy = dir.resolve(folder);
        try (Stream<Path> s = Files.walk(committed)) {
            for (Path p : s.toList()) {
                Files.copy(p, copy.resolve(committed.relativize(p).toString()));
            }
        }
        PythonTorch.Result r = PythonTorch.runPython(List.of("-c", "import sys, torch; f = sys.argv[1]; " + change,
                copy.resolve(file).toString()));
        assertEquals(0, r.exitCode(), r.stderr());
        return compare(committed, copy);
    }

    private static JsonNode compare(Path committed, Path regenerated) throws Exception {
        PythonTorch.Result r = PythonTorch.runAllowingFailure("fixture_compare.py", committed.toString(), regenerated.toString());
        assertTrue(r.exitCode() == 0 || r.exitCode() == 1, r.stderr());
        JsonNode report = new ObjectMapper().readTree(r.stdout());
        assertEquals(report.get("mismatches").isEmpty() ? 0 : 1, r.exitCode(), r.stdout());
        return report;
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).map(p -> d.relativize(p).toString()).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
