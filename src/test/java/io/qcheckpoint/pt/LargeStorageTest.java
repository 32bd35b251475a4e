package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.testing.PythonTorch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A storage over 2 GiB, written by torch, read and written back by Java as the same bytes, read again by torch. */
class LargeStorageTest {
    @TempDir
    Path dir;

    @Test
    void storageOverTwoGibRoundTripsThroughTorch() throws Exception {
        PythonTorch.require();
        Path original = dir.resolve("big.pt");
        JsonNode torchSees = new ObjectMapper().readTree(PythonTorch.run("large_tensor.py", "write", original.toString()));

        Map<?, ?> root = (Map<?, ?>) TorchFiles.read(original).root();
        Tensor big = (Tensor) root.get("big");
        Tensor tail = (Tensor) root.get("tail");
        assertEquals(torchSees.get("numel").asLong(), big.numel());
        assertEquals(torchSees.get("sha256").asText(), sha256(big));
        assertThrows(IllegalStateException.class, big::data, "one ByteBuffer cannot hold 2 GiB");
        assertSame(big.storage(), tail.storage());
        assertEquals(torchSees.get("tail_offset").asLong(), tail.storageOffset());
        long[] tailValues = tail.toLongArray();
        for (int i = 0; i < tailValues.length; i++) {
            assertEquals(torchSees.get("tail").get(i).asLong(), tailValues[i], "tail[" + i + "]");
        }
        // the same name in another folder: torch names the zip's folder after the file
        Path copy = Files.createDirectories(dir.resolve("java")).resolve("big.pt");
        TorchFiles.write(copy, root);
        assertEquals(-1L, Files.mismatch(original, copy), "the copy is torch's bytes");
        original.toFile().delete();

        JsonNode torchSeesCopy = new ObjectMapper().readTree(PythonTorch.run("large_tensor.py", "check", copy.toString()));
        assertEquals(torchSees, torchSeesCopy);
    }

    private static String sha256(Tensor t) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        t.writeData(ByteSink.of(md::update));
        return HexFormat.of().formatHex(md.digest());
    }
}
