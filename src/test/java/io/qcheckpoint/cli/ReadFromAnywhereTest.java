package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.qcheckpoint.pt.TorchFiles;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every committed torch file reads the same from the default file system, a byte array, a stream,
 * a zip file system (a checkpoint shipped in a jar) and an in-memory one: the same tensors, dtypes,
 * shapes, quantization and element hashes ({@link InspectReport}).
 */
class ReadFromAnywhereTest {
    private static final List<Path> FOLDERS = List.of(Path.of("src/test/resources/fixtures/pt"),
            Path.of("src/test/resources/fixtures/reference/torch-2.11"), Path.of("src/test/resources/fixtures/reference/lpot-v1.5"),
            Path.of("src/test/resources/fixtures/lpot/lpot15_static"));

    @TempDir
    Path dir;

    @Test
    void everyFixtureReadsAlikeFromEveryKindOfSource() throws Exception {
        List<Path> files = fixtures();
        assertTrue(files.size() >= 40, "fixtures: " + files.size());
        Path jar = dir.resolve("models.jar");
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + jar.toUri()), Map.of("create", "true"));
                FileSystem memory = Jimfs.newFileSystem(Configuration.unix())) {
            for (Path f : files) {
                String expected = InspectReport.toJson(TorchFiles.read(f)).toString();
                String name = f.toString();
                byte[] bytes = Files.readAllBytes(f);
                assertEquals(expected, InspectReport.toJson(TorchFiles.read(bytes, name)).toString(), name + " from bytes");
                try (InputStream in = Files.newInputStream(f)) {
                    assertEquals(expected, InspectReport.toJson(TorchFiles.read(in, name)).toString(), name + " from a stream");
                }
                for (FileSystem fs : List.of(zip, memory)) {
                    Path copy = fs.getPath("/" + f.getParent().getFileName() + "-" + f.getFileName());
                    Files.write(copy, bytes);
                    assertEquals(expected, InspectReport.toJson(TorchFiles.read(copy)).toString(), copy.toUri() + "");
                }
            }
        }
    }

    private static List<Path> fixtures() throws Exception {
        List<Path> out = new ArrayList<>();
        for (Path folder : FOLDERS) {
            try (Stream<Path> s = Files.list(folder)) {
                s.filter(p -> p.toString().endsWith(".pt") && !p.getFileName().toString().startsWith("ts_")).sorted()
                        .forEach(out::add);
            }
        }
        return out;
    }
}
