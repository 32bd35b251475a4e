package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every plain tensor of torch-written files becomes an NDArray holding what torch itself gives when
 * it converts the tensor to a type DJL can hold (bfloat16 to float32, int16 to int32); types DJL
 * cannot hold, and quantized tensors, are refused rather than handed to DJL; and an NDArray comes
 * back as the same bytes.
 */
class TensorArraysTest {
    @ParameterizedTest
    @ValueSource(strings = {"dtypes", "views", "scalars_empty", "float_sd"})
    void tensorsBecomeWhatTorchConvertsThemTo(String fixture) throws Exception {
        Path file = Path.of("src/test/resources/fixtures/pt/" + fixture + ".pt");
        JsonNode torch = new ObjectMapper().readTree(PythonTorch.run("ndarray_oracle.py", file.toString()));
        int converted = 0;
        try (NDManager manager = NDManager.newBaseManager()) {
            for (NamedTensor nt : TorchFiles.read(file).tensors()) {
                Tensor t = nt.tensor();
                JsonNode expected = torch.get(nt.key());
                if (t.dtype().isQuantized() || expected.get("dtype").isNull()) {
                    assertThrows(IllegalArgumentException.class, () -> TensorArrays.toNDArray(manager, t), nt.key());
                    continue;
                }
                NDArray a = TensorArrays.toNDArray(manager, t);
                assertEquals(expected.get("dtype").asText(), torchName(a), nt.key());
                assertArrayEquals(longs(expected.get("shape")), a.getShape().getShape(), nt.key());
                assertEquals(expected.get("sha256").asText(), sha256(a.toByteBuffer()), nt.key());

                Tensor back = TensorArrays.toTensor(a);
                assertEquals(expected.get("sha256").asText(), sha256(back.data()), nt.key());
                converted++;
            }
        }
        assertTrue(converted > 0, "the fixture has plain tensors");
    }

    private static String torchName(NDArray a) {
        return TensorArrays.toTensor(a).dtype().torchName();
    }

    private static long[] longs(JsonNode array) {
        return Stream.iterate(0, i -> i + 1).limit(array.size()).mapToLong(i -> array.get(i).asLong()).toArray();
    }

    private static String sha256(ByteBuffer b) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(b.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }
}
