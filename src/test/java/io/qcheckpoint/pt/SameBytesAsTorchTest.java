package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance for the weights file: a Java-written {@code best_model_weights.pt} is
 * torch 1.13's {@code torch.save} of the same state dict, byte for byte. Each state dict the
 * fixture generators made is read by both sides and written to a file of the same name (torch
 * names the zip's folder after it); {@code torch_resave.py} is the oracle.
 */
class SameBytesAsTorchTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures");
    /** generate_pt_fixtures.py's state dicts and dicts of tensors, in the containers it wrote them in, and more. */
    private static final List<String> PT_CASES = List.of("float_sd", "mlp_sd", "params", "qstatic_perchannel",
            "qstatic_pertensor", "qstatic_functional", "qdynamic_int8", "qembedding", "dtypes", "qtensors", "views",
            "scalars_empty", "proto4", "legacy_float_sd", "legacy_qstatic", "legacy_views", "container_deflated",
            "container_reordered", "container_root_name", "container_stored_unaligned", "container_zip64",
            // beyond state dicts: nested containers, int and tuple keys, bytes, dtypes, a device, a torch.Size
            "nested", "nested_bytes", "nested_proto4", "legacy_nested");
    // not bigendian.pt: torch 1.13 ignores its byteorder record and re-saves the big-endian bytes as they are

    @TempDir
    Path dir;

    @Test
    void stateDictsAreWrittenAsTorchWritesThem() throws Exception {
        List<Path> sources = new ArrayList<>();
        PT_CASES.forEach(c -> sources.add(FIXTURES.resolve("pt").resolve(c + ".pt")));
        sources.addAll(filesEndingWith(FIXTURES.resolve("nn-quant"), "_sd.pt"));
        sources.addAll(filesEndingWith(FIXTURES.resolve("lpot"), "best_model_weights.pt"));
        sources.addAll(filesEndingWith(FIXTURES.resolve("lpot"), "fp32_sd.pt"));
        assertTrue(sources.size() > 40, sources.size() + " sources");

        List<String> args = new ArrayList<>();
        List<Path[]> pairs = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            Path src = sources.get(i);
            Path torchOut = Files.createDirectories(dir.resolve("torch").resolve(Integer.toString(i)))
                    .resolve("best_model_weights.pt");
            Path javaOut = Files.createDirectories(dir.resolve("java").resolve(Integer.toString(i)))
                    .resolve("best_model_weights.pt");
            args.add(src.toString());
            args.add(torchOut.toString());
            TorchFiles.write(javaOut, root(src));
            pairs.add(new Path[] {src, torchOut, javaOut});
        }
        PythonTorch.run("torch_resave.py", args.toArray(String[]::new));

        List<String> differing = new ArrayList<>();
        for (Path[] p : pairs) {
            byte[] torch = Files.readAllBytes(p[1]);
            byte[] java = Files.readAllBytes(p[2]);
            int at = java.length == torch.length ? java.length : Math.min(java.length, torch.length);
            for (int i = 0; i < Math.min(java.length, torch.length); i++) {
                if (java[i] != torch[i]) {
                    at = i;
                    break;
                }
            }
            if (at != java.length || java.length != torch.length) {
                differing.add(p[0] + ": " + java.length + " bytes, torch " + torch.length + "; first difference at "
                        + at + ": java " + window(java, at) + ", torch " + window(torch, at));
            }
        }
        if (!differing.isEmpty()) {
            fail(differing.size() + " of " + pairs.size() + " files differ:\n" + String.join("\n", differing));
        }
    }

    @Test
    void theFolderIsTheFileStemAsTorchNamesIt() throws Exception {
        StateDict sd = new StateDict().put("w", Tensor.fromFloats(new float[] {1, 2}, 2));
        for (String name : List.of("best_model_weights.pt", "a.b.pt", "noext", "x.")) {
            Path javaOut = Files.createDirectories(dir.resolve("names-java")).resolve(name);
            TorchFiles.write(javaOut, sd);
            Path torchOut = Files.createDirectories(dir.resolve("names-torch")).resolve(name);
            PythonTorch.run("torch_resave.py", javaOut.toString(), torchOut.toString());
            assertEquals(HexFormat.of().formatHex(Files.readAllBytes(torchOut)),
                    HexFormat.of().formatHex(Files.readAllBytes(javaOut)), name);
        }
    }

    /** A state dict (with {@code _metadata}) as a {@link StateDict}, as the library writes one; any other root as read. */
    private static Object root(Path src) throws IOException {
        Object root = TorchFiles.read(src).root();
        return root instanceof OrderedDict d && d.metadata() != null ? StateDict.fromPickled(root, src.toString()) : root;
    }

    private static List<Path> filesEndingWith(Path folder, String suffix) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private static String window(byte[] b, int at) {
        int from = Math.max(0, at - 8);
        int to = Math.min(b.length, at + 24);
        return HexFormat.of().formatHex(b, from, to) + " (from " + from + ")";
    }
}
