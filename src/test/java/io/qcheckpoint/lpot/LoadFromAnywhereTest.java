package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.nn.Module;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint loads from a zip or jar ({@code FileSystems.newFileSystem}) and from an in-memory
 * file system, and gives exactly the outputs it gives from the default file system.
 */
class LoadFromAnywhereTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"lpot15_static", "lpot15_dynamic", "fused_cnn"})
    void aCheckpointLoadsFromAJarAndFromMemory(String name) throws Exception {
        Path source = CheckpointsMatchLpotTest.FIXTURES.resolve(name);
        float[] expected = outputs(name, source);
        Path jar = dir.resolve("model.jar");
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"))) {
            copy(source, zip.getPath("/models/ck"));
        }
        try (FileSystem zip = FileSystems.newFileSystem(jar);
                FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
            assertArrayEquals(expected, outputs(name, zip.getPath("/models/ck")), "from " + jar);
            Path inMemory = memory.getPath("/ck");
            copy(source, inMemory);
            assertArrayEquals(expected, outputs(name, inMemory), "from memory");
        }
    }

    private static float[] outputs(String name, Path checkpoint) throws Exception {
        try (Module fp32 = CheckpointsMatchLpotTest.fp32Model(name); NDManager m = NDManager.newBaseManager();
                QuantizedModel<?> q = Checkpoints.load(checkpoint, fp32)) {
            return q.forward(CheckpointsMatchLpotTest.input(m, name)).toFloatArray();
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) {
                Files.write(to.resolve(p.getFileName().toString()), Files.readAllBytes(p));
            }
        }
        assertTrue(List.of("best_configure.yaml", "best_model_weights.pt").stream().allMatch(f -> Files.exists(to.resolve(f))));
    }
}
