package io.qcheckpoint.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.cli.Main;
import io.qcheckpoint.cli.bench.PtIoBenchmark.FileReport;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.QScheme;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the I/O benchmark's code path at a tiny size and checks what it wrote, not how fast: speed
 * is only ever printed by {@code qcheckpoint bench}, never asserted.
 */
class PtIoBenchmarkTest {
    @TempDir
    Path dir;

    @Test
    void smallRunWritesFilesThatReadBackAsTheInMemoryModels() throws IOException {
        List<FileReport> reports = new PtIoBenchmark(new PtIoBenchmark.Config(2, 1, 1, dir),
                new PrintWriter(Writer.nullWriter())).run();

        assertEquals(List.of("float32.pt", "int8.pt"), reports.stream().map(FileReport::name).toList());
        assertReadsBackAs(BenchModels.float32(2_000_000), reports.get(0));
        assertReadsBackAs(BenchModels.int8(1_000_000), reports.get(1));
        for (FileReport r : reports) {
            assertEquals(1, r.writeMbps().values().length);
            assertEquals(1, r.readRatios().values().length);
            // a read builds the pickle's object tree on the heap: a measurement of zero means none was taken
            assertTrue(r.allocatedBytes() > 0, r.name() + " allocated " + r.allocatedBytes() + " bytes");
        }
        assertEquals(6, PtIoReport.verdicts(reports).size());
    }

    private static void assertReadsBackAs(StateDict model, FileReport report) throws IOException {
        Map<String, Long> expected = Checksums.ofTensors(Checksums.tensorsOf(model));
        assertEquals(expected, report.checksums(), "the benchmark checksummed the model it was asked for");
        assertEquals(expected, Checksums.ofTensors(TorchFiles.read(report.file()).tensors()),
                "keys, order and contents read back as written");
        StateDict read = TorchFiles.readStateDict(report.file());
        assertEquals(List.copyOf(model.keys()), List.copyOf(read.keys()));
        assertEquals(model.metadata(), read.metadata());
        assertEquals(Files.size(report.file()), report.fileBytes());
    }

    @Test
    void modelsLookLikeRealStateDictsOfAboutTheRequestedSize() throws IOException {
        StateDict f = BenchModels.float32(3_000_000);
        assertNear(3_000_000, tensorBytes(f));
        Tensor tracked = f.tensor("layer1.0.bn1.num_batches_tracked");
        assertEquals(DType.INT64, tracked.dtype());
        assertEquals(0, tracked.dim());
        assertEquals(Map.of("version", 2L), f.metadata().get("layer1.0.bn1"));
        assertNotEquals(Checksums.of(f.tensor("fc1.weight").data()),
                Checksums.of(ByteBuffer.allocate((int) f.tensor("fc1.weight").nbytes())), "not all zeros");

        StateDict q = BenchModels.int8(3_000_000);
        assertNear(3_000_000, tensorBytes(q));
        Tensor w = q.tensor("layer2.0.conv1.weight");
        assertEquals(DType.QINT8, w.dtype());
        assertEquals(QScheme.PER_CHANNEL_AFFINE, w.quantization().scheme());
        assertTrue(q.tensor("layer2.0.conv1.bias").isParameter());
        assertEquals(0, q.tensor("layer2.0.conv1.scale").dim());
        assertEquals(DType.QINT8, q.get("fc1._packed_params.dtype"));
        Tuple packed = assertInstanceOf(Tuple.class, q.get("fc1._packed_params._packed_params"));
        assertEquals(DType.QINT8, ((Tensor) packed.get(0)).dtype());
        assertEquals(Map.of("version", 3L), q.metadata().get("fc1._packed_params"));
    }

    private static long tensorBytes(StateDict sd) {
        return Checksums.tensorsOf(sd).stream().mapToLong(nt -> nt.tensor().nbytes()).sum();
    }

    private static void assertNear(long target, long actual) {
        assertTrue(Math.abs(actual - target) < target / 10, actual + " bytes, asked for " + target);
    }

    @Test
    void badOptionsExitWithTwo() {
        assertEquals(2, execute("io", "--iterations", "0"));
        assertEquals(2, execute("io", "--float-mb", "0"));
        assertEquals(2, execute("io", "--int8-mb", "x"));
        assertEquals(2, execute());
    }

    private static int execute(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "bench";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.run(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), all);
    }
}
