package io.qcheckpoint.pt;

/**
 * A storage persistent id as torch pickles it:
 * {@code ('storage', torch.<X>Storage, key, location, numel[, view_metadata])}.
 *
 * @param dtype the element type the storage class declares (uint8 for {@code UntypedStorage})
 * @param key the record key ({@code data/<key>} in a zip; an id string in the legacy format)
 * @param location the device it was saved from, such as {@code "cpu"}
 * @param numel the element count (bytes for untyped and sub-byte storages)
 * @param viewMetadata the legacy view metadata, or null
 */
record StorageRef(DType dtype, String key, String location, long numel, Object viewMetadata) {

    /** The value a {@code torch.<X>Storage} global unpickles to. */
    record StorageType(String name, DType dtype) {
    }

    /**
     * Reads a persistent id, refusing anything that is not a storage.
     *
     * @param pid the unpickled id
     * @param source the file, for messages
     * @return the reference
     * @throws UnsafeCheckpointException if the id is not a storage tuple
     * @throws CheckpointFormatException if a storage tuple is malformed
     */
    static StorageRef parse(Object pid, String source) throws CheckpointException {
        if (!(pid instanceof Tuple t) || t.size() == 0 || !"storage".equals(t.get(0))) {
            throw new UnsafeCheckpointException(source, "persistent id " + TorchGlobals.describe(pid)
                    + " is not a storage; refused");
        }
        if (t.size() < 5 || t.size() > 6 || !(t.get(1) instanceof StorageType type) || !(t.get(2) instanceof String key)
                || !(t.get(3) instanceof String location) || !(t.get(4) instanceof Long numel) || numel < 0) {
            throw new CheckpointFormatException(source, "malformed storage persistent id");
        }
        return new StorageRef(type.dtype(), key, location, numel, t.size() == 6 ? t.get(5) : null);
    }

    /** Returns the storage's size in bytes. */
    long nbytes() {
        return Math.multiplyExact(numel, (long) dtype.storageElementSize());
    }
}
