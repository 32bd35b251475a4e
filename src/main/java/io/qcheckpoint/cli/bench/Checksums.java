package io.qcheckpoint.cli.bench;

import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.Tuple;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The checksum both sides of the read benchmark use: CRC32C, which reads every byte and which the
 * JVM compiles to the CPU's CRC instructions, so that it costs far less than the reading it checks.
 */
public final class Checksums {
    private Checksums() {
    }

    /**
     * Checksums a buffer's remaining bytes without moving its position.
     *
     * @param bytes the bytes
     * @return their CRC32C
     */
    public static long of(ByteBuffer bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.duplicate());
        return crc.getValue();
    }

    /**
     * Folds one tensor's checksum into a running, order-dependent total.
     *
     * @param total the total so far (0 to start)
     * @param crc the next tensor's checksum
     * @return the new total
     */
    public static long fold(long total, long crc) {
        return total * 31 + crc;
    }

    /**
     * Checksums every tensor's {@link Tensor#data()}, by key.
     *
     * @param tensors the tensors, in order
     * @return key to CRC32C, in the same order
     */
    public static Map<String, Long> ofTensors(List<NamedTensor> tensors) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (NamedTensor nt : tensors) {
            out.put(nt.key(), of(nt.tensor().data()));
        }
        return out;
    }

    /**
     * Folds checksums, in order, as the benchmark's read loop does.
     *
     * @param checksums key to checksum
     * @return the total
     */
    public static long total(Map<String, Long> checksums) {
        long total = 0;
        for (long c : checksums.values()) {
            total = fold(total, c);
        }
        return total;
    }

    /**
     * Lists the tensors of an in-memory state dict with the dotted keys that
     * {@link io.qcheckpoint.pt.TorchFile#tensors()} gives them once the dict is written and read back
     * (tuple items get their index), quantization parameters excluded.
     *
     * @param sd the state dict
     * @return the tensors in order
     */
    public static List<NamedTensor> tensorsOf(StateDict sd) {
        List<NamedTensor> out = new ArrayList<>();
        for (Map.Entry<String, Object> e : sd.entries().entrySet()) {
            collect(e.getKey(), e.getValue(), out);
        }
        return out;
    }

    private static void collect(String key, Object value, List<NamedTensor> out) {
        if (value instanceof Tensor t) {
            out.add(new NamedTensor(key, t));
        } else if (value instanceof Tuple t) {
            for (int i = 0; i < t.size(); i++) {
                collect(key + "." + i, t.get(i), out);
            }
        }
    }
}
