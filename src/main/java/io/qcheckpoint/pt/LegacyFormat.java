package io.qcheckpoint.pt;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads torch's legacy container (torch &lt; 1.6): pickles of the magic number, the protocol
 * version and the system info, then the object, then the list of storage keys, then each storage
 * as an int64 element count followed by its bytes.
 */
final class LegacyFormat {
    private static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    private static final long PROTOCOL_VERSION = 1001;

    private final Source source;
    private final String file;
    private final Map<String, Storage> storages = new HashMap<>();
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;

    private LegacyFormat(Source source, String file) {
        this.source = source;
        this.file = file;
    }

    /**
     * Reads the file in {@code source}.
     *
     * @param source the file's bytes
     * @param file its name, for messages
     * @return the root value and the pickles' total size
     * @throws CheckpointException if the file is unsafe, malformed or truncated
     * @throws IOException if reading fails
     */
    static Object[] read(Source source, String file) throws IOException {
        return new LegacyFormat(source, file).read();
    }

    private Object[] read() throws IOException {
        long size = source.size();
        ByteBuffer head = source.region(0, (int) Math.min(size, Source.MAX_BUFFER));
        if (!MAGIC.equals(asBig(unpickle(head, "magic number")))) {
            throw new CheckpointFormatException(file, "not a torch file: wrong magic number");
        }
        if (!Long.valueOf(PROTOCOL_VERSION).equals(unpickle(head, "protocol version"))) {
            throw new CheckpointFormatException(file, "unsupported legacy protocol version");
        }
        if (unpickle(head, "system info") instanceof Map<?, ?> info && Boolean.FALSE.equals(info.get("little_endian"))) {
            order = ByteOrder.BIG_ENDIAN;
        }
        Object root = unpickle(head, "object");
        if (!(unpickle(head, "storage keys") instanceof List<?> keys)) {
            throw new CheckpointFormatException(file, "storage key list is not a list");
        }
        long pickles = head.position();
        readStorages(keys, pickles, size);
        return new Object[] {root, pickles};
    }

    private static BigInteger asBig(Object o) {
        return o instanceof Long l ? BigInteger.valueOf(l) : o instanceof BigInteger b ? b : BigInteger.ONE.negate();
    }

    private Object unpickle(ByteBuffer head, String what) throws CheckpointException {
        return new Unpickler(head, file + " (" + what + " pickle)", this::storage).load();
    }

    private Object storage(Object pid) throws CheckpointException {
        StorageRef ref = StorageRef.parse(pid, file);
        if (ref.viewMetadata() != null) {
            throw new CheckpointFormatException(file, "storage views of torch < 0.4 are not supported");
        }
        Storage s = storages.get(ref.key());
        if (s == null) {
            s = new Storage(ref.dtype(), ref.numel(), order, null);
            storages.put(ref.key(), s);
        } else if (s.dtype() != ref.dtype() || s.numel() != ref.numel()) {
            throw new CheckpointFormatException(file, "storage " + ref.key() + " is declared with two types or sizes");
        }
        return s;
    }

    private void readStorages(List<?> keys, long start, long size) throws IOException {
        long pos = start;
        for (Object k : keys) {
            Storage s = k instanceof String key ? storages.get(key) : null;
            if (s == null || s.isBound()) {
                throw new CheckpointFormatException(file, "storage key " + TorchGlobals.describe(k)
                        + " is listed but not used once by the object");
            }
            if (pos > size - 8) {
                throw new CheckpointFormatException(file, "truncated: storage " + k + " has no size at offset " + pos);
            }
            long n = source.region(pos, 8).order(order).getLong(0);
            if (n != s.numel()) {
                throw new CheckpointFormatException(file, "storage " + k + " holds " + n + " elements but was declared with "
                        + s.numel());
            }
            long bytes = s.nbytes();
            if (bytes > size - pos - 8) {
                throw new CheckpointFormatException(file, "truncated: storage " + k + " needs " + bytes
                        + " bytes at offset " + (pos + 8) + ", the file has " + (size - pos - 8) + " left");
            }
            s.bind(source.storage(pos + 8, bytes));
            pos += 8 + bytes;
        }
        for (Map.Entry<String, Storage> e : storages.entrySet()) {
            if (!e.getValue().isBound()) {
                throw new CheckpointFormatException(file, "storage " + e.getKey() + " is used but its data is missing");
            }
        }
    }
}
