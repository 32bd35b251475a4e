package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.testing.PythonYaml;
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
 * Java's output against real PyYAML and Python's json, on configs Java builds (seeded, full of
 * awkward strings and floats) and on every committed fixture as Java reads it. For each config
 * {@code config_fixtures.py check}:
 * <ul>
 *   <li>dumps the value Java means (sent as tagged JSON, independent of the formatting under test)
 *       exactly as LPOT does; Java's text must equal it byte for byte;</li>
 *   <li>loads Java's text with {@code yaml.safe_load} (plus LPOT's tuple constructor) or
 *       {@code json.load}; the result must equal that value, types and float bits included.</li>
 * </ul>
 */
class PythonOracleTest {
    private static final int RANDOM_CONFIGS = 400;

    @TempDir
    Path dir;

    @Test
    void javaYamlIsWhatPyYamlWritesAndReadsBackEqual() throws Exception {
        PythonYaml.require();
        Map<String, TuneConfig> configs = new LinkedHashMap<>();
        RandomConfigs random = new RandomConfigs(7);
        for (int i = 0; i < RANDOM_CONFIGS; i++) {
            configs.put(String.format("random_%03d", i), random.tuneConfig());
        }
        for (Path p : fixtures("yaml")) {
            configs.put("fixture_" + p.getFileName().toString().replace(".yaml", "").replace('.', '_'), TuneConfigs.readYaml(p));
        }
        for (Map.Entry<String, TuneConfig> e : configs.entrySet()) {
            TuneConfigs.writeYaml(e.getValue(), dir.resolve(e.getKey() + ".yaml"));
            Files.writeString(dir.resolve(e.getKey() + ".data.json"), TaggedData.json(e.getValue().toMap()));
        }
        checkAll(configs.keySet(), "yaml");
    }

    @Test
    void javaJsonIsWhatPythonWritesAndReadsBackEqual() throws Exception {
        PythonYaml.require();
        Map<String, IpexConfig> configs = new LinkedHashMap<>();
        RandomConfigs random = new RandomConfigs(11);
        for (int i = 0; i < RANDOM_CONFIGS; i++) {
            configs.put(String.format("random_%03d", i), random.ipexConfig());
        }
        for (Path p : fixtures("json")) {
            configs.put("fixture_" + p.getFileName().toString().replace(".json", "").replace('.', '_'), IpexConfigs.readJson(p));
        }
        for (Map.Entry<String, IpexConfig> e : configs.entrySet()) {
            IpexConfigs.writeJson(e.getValue(), dir.resolve(e.getKey() + ".json"));
            List<Object> ops = new ArrayList<>();
            e.getValue().ops().forEach(op -> ops.add(op.toMap()));
            Files.writeString(dir.resolve(e.getKey() + ".data.json"), TaggedData.json(ops));
        }
        checkAll(configs.keySet(), "json");
    }

    private void checkAll(Iterable<String> names, String ext) throws Exception {
        String report = PythonYaml.run("config_fixtures.py", "check", dir.toString());
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (String name : names) {
            checked++;
            if (!report.contains("ok " + name + "." + ext + "\n")) {
                problems.add(report.lines().filter(l -> l.contains(" " + name + "." + ext)).findFirst()
                        .orElse("no report for " + name));
            }
            String java = Files.readString(dir.resolve(name + "." + ext));
            String python = Files.readString(dir.resolve(name + ".expected." + ext));
            if (!java.equals(python)) {
                problems.add(name + ": Java wrote\n" + java + "\nPython writes\n" + python);
            }
        }
        assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first:\n" + problems.get(0));
        assertEquals(RANDOM_CONFIGS + fixtures(ext).size(), checked);
    }

    static List<Path> fixtures(String ext) throws Exception {
        try (Stream<Path> s = Files.list(Path.of("src/test/resources/fixtures/config"))) {
            return s.filter(p -> p.toString().endsWith("." + ext)).sorted().toList();
        }
    }
}
