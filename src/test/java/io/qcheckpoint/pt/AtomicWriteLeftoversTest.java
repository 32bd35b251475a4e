package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A write removes the temporary files that killed writes of the same file left (named after their
 * process, which no longer runs), and never one of a process still running.
 */
class AtomicWriteLeftoversTest {
    @TempDir
    Path dir;

    @Test
    void theNextWriteRemovesWhatDeadProcessesLeft() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        long alive = ProcessHandle.current().pid();
        Path target = dir.resolve("x.pt");
        Path deadTmp = Files.write(dir.resolve(".x.pt.tmp-" + dead + "-1234"), new byte[1000]);
        Path liveTmp = Files.write(dir.resolve(".x.pt.tmp-" + alive + "-5678"), new byte[10]);
        Path otherFile = Files.write(dir.resolve(".y.pt.tmp-" + dead + "-1234"), new byte[10]);
        Path notOurs = Files.write(dir.resolve(".x.pt.tmp-notapid"), new byte[10]);

        TorchFiles.write(target, new StateDict());

        assertTrue(Files.exists(target));
        assertTrue(Files.notExists(deadTmp), "a dead process's leftover is removed");
        assertTrue(Files.exists(liveTmp), "a running process's temporary file is kept");
        assertTrue(Files.exists(otherFile), "another target's leftovers are not this write's business");
        assertTrue(Files.exists(notOurs), "a name that is not ours is kept");
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(".x.pt.tmp-" + alive + "-5678", ".x.pt.tmp-notapid", ".y.pt.tmp-" + dead + "-1234", "x.pt"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
