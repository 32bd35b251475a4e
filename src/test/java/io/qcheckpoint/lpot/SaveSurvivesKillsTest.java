package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save killed with SIGKILL at any rename, fsync or mkdir it makes leaves the path loading as the
 * complete old or the complete new checkpoint, and the next save leaves nothing beside it.
 *
 * <p>A real process ({@link SaveProcess}) saves checkpoint B over checkpoint A under {@code strace}.
 * A first traced run counts the calls; then, for each call, one run is killed at it by strace's
 * fault injection ({@code -e inject=SYSCALL:signal=KILL:when=N}, counted per thread: the save runs
 * on one). Needs strace ({@code apt-get install strace}); with {@code CI=true} it must run.
 */
class SaveSurvivesKillsTest {
    private static final String SYSCALLS = "rename,renameat,renameat2,fsync,fdatasync,mkdir,mkdirat";
    private static final Path STRACE = Path.of("/usr/bin/strace");

    @TempDir
    Path dir;

    @Test
    void everyKillLeavesTheOldOrTheNewCheckpoint() throws Exception {
        requireStrace();
        Path a = save("lpot15_static", dir.resolve("a"));
        Path b = save("lpot15_qat", dir.resolve("b"));
        Path ck = dir.resolve("runs").resolve("ck");
        Map<String, Integer> calls = countCalls(a, ck);
        assertTrue(calls.getOrDefault("rename", 0) >= 3 && calls.getOrDefault("fsync", 0) >= 2, calls::toString);
        int runs = 0;
        int killed = 0;
        for (Map.Entry<String, Integer> call : calls.entrySet()) {
            for (int n = 1; n <= call.getValue(); n++) {
                copyTree(a, ck);
                int exit = traced(ck, "-e", "inject=" + call.getKey() + ":signal=KILL:when=" + n);
                killed += exit != 0 ? 1 : 0;
                runs++;
                String at = call.getKey() + " #" + n + " (exit " + exit + ")";
                Checkpoints.readTuneConfig(ck); // a load finishes or undoes an interrupted save first
                assertTrue(sameFiles(ck, a) || sameFiles(ck, b), "killed at " + at + ": neither A nor B at the path");
                assertEquals(List.of("ck"), names(ck.getParent()), "killed at " + at + ": leftovers after recovery");
                deleteTree(ck);
            }
        }
        assertTrue(killed >= 5, "only " + killed + " of " + runs + " runs were killed");
    }

    @Test
    void theNextSaveRemovesWhatKilledSavesLeft() throws Exception {
        requireStrace();
        Path a = save("lpot15_static", dir.resolve("a"));
        Path ck = dir.resolve("runs").resolve("ck");
        copyTree(a, ck);
        // killed at its first fsync: a half-written .ck.new-* folder is left behind
        traced(ck, "-e", "inject=fsync:signal=KILL:when=1");
        assertTrue(names(ck.getParent()).size() > 1, "the kill left a staging folder: " + names(ck.getParent()));
        save("lpot15_qat", ck);
        assertEquals(List.of("ck"), names(ck.getParent()));
    }

    private static void requireStrace() {
        if (!Files.isExecutable(STRACE)) {
            assertTrue(!"true".equals(System.getenv("CI")), "CI must run the kill test: apt-get install strace");
            assumeTrue(false, "strace is not installed");
        }
    }

    /** Counts, in one traced save of B over a copy of A, the calls of each kind the save thread makes. */
    private Map<String, Integer> countCalls(Path a, Path ck) throws Exception {
        copyTree(a, ck);
        Path log = dir.resolve("trace.log");
        assertEquals(0, traced(ck, "-o", log.toString()));
        Map<String, Integer> perCall = new TreeMap<>();
        for (String line : Files.readAllLines(log)) {
            String[] parts = line.split("[ (]+", 3); // strace pads short pids: "6119  mkdir(..."
            if (parts.length == 3 && Arrays.asList(SYSCALLS.split(",")).contains(parts[1])) {
                perCall.merge(parts[1], 1, Integer::sum);
            }
        }
        deleteTree(ck);
        return perCall;
    }

    /** Runs {@link SaveProcess} saving B to {@code ck} under strace with the given options; returns its exit code. */
    private int traced(Path ck, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(STRACE.toString(), "-f", "-qq", "-e", "trace=" + SYSCALLS));
        cmd.addAll(List.of(options));
        if (!List.of(options).contains("-o")) {
            cmd.addAll(List.of("-o", "/dev/null"));
        }
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:-UsePerfData",
                "-Dai.djl.offline=true", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                "-cp", System.getProperty("java.class.path"), SaveProcess.class.getName(), "lpot15_qat", ck.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("save.log").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the traced save did not finish in two minutes");
        }
        return p.exitValue();
    }

    private static Path save(String name, Path to) throws IOException {
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(name);
                QuantizedModel<?> q = Checkpoints.load(CheckpointsMatchLpotTest.FIXTURES.resolve(name), fp32)) {
            q.save(to);
        }
        return to;
    }

    private static boolean sameFiles(Path ck, Path expected) throws IOException {
        for (String f : List.of(EagerQuantizedModel.CONFIG_FILE, EagerQuantizedModel.WEIGHTS_FILE)) {
            if (!Files.isRegularFile(ck.resolve(f))
                    || !Arrays.equals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(ck.resolve(f)))) {
                return false;
            }
        }
        return names(ck).size() == 2;
    }

    private static List<String> names(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        for (String f : names(from)) {
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }

    private static void deleteTree(Path d) throws IOException {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted((x, y) -> y.compareTo(x)).toList()) {
                Files.delete(p);
            }
        }
    }
}
