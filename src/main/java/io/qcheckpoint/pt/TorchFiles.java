package io.qcheckpoint.pt;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@code torch.save} files: the entry point of this package.
 *
 * <pre>{@code
 * StateDict sd = TorchFiles.readStateDict(Path.of("best_model_weights.pt"));
 * Tensor bias = sd.tensor("fc.bias");
 * TorchFiles.write(Path.of("copy.pt"), sd);
 * }</pre>
 *
 * <p>Reading accepts the zip container of any producer (torch 1.6 to 2.11+, stored or deflated,
 * ZIP64, any root folder) and the legacy container of torch &lt; 1.6, and builds values only from
 * an allowlist of torch globals. Storages are memory-mapped, not copied. Writing produces what
 * torch 1.13 writes, byte for byte what its {@code torch.save} writes for the same values and file
 * name: protocol-2 pickle with CPython's memo, records in a folder named after the file's stem,
 * stored and aligned to 64 bytes, which {@code torch.load} reads, and which are laid out for
 * {@code mmap=True} (torch 2.1+). {@code weights_only=True} loads them only where that torch's safe
 * unpickler knows every global and opcode the file uses: torch 1.13's refuses quantized tensors
 * ({@code Unsupported class torch._utils._rebuild_qtensor}) and Python floats outside tensors
 * ({@code BINFLOAT}), so quantized state dicts need a later torch for it.
 */
public final class TorchFiles {
    private static final int MAX_PICKLE_BYTES = Integer.MAX_VALUE - 8;
    /** The folder torch names the records of a file whose name has no stem, and of a buffer. */
    private static final String DEFAULT_ROOT = "archive";

    private TorchFiles() {
    }

    /**
     * Reads any {@code torch.save} file.
     *
     * @param path the file
     * @return its format and root value
     * @throws UnsafeCheckpointException if the file names a global outside the allowlist
     * @throws CheckpointFormatException if the file is not a torch file, or is truncated or corrupt
     * @throws IOException if the file cannot be read
     */
    public static TorchFile read(Path path) throws IOException {
        try {
            return readPath(path);
        } catch (CheckpointException | FileSystemException e) {
            throw e;
        } catch (IOException e) {
            // the operating system's reason ("Is a directory", "Input/output error") names no file
            throw new IOException(path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a {@code torch.save} file held in memory.
     *
     * @param bytes the file's bytes (not copied: do not change them while the result is in use)
     * @param name what to call the file in messages
     * @return its format and root value
     * @throws UnsafeCheckpointException if the file names a global outside the allowlist
     * @throws CheckpointFormatException if the bytes are not a torch file, or are truncated or corrupt
     */
    public static TorchFile read(byte[] bytes, String name) throws IOException {
        return read(Path.of(name), Source.inMemory(ByteBuffer.wrap(bytes)));
    }

    /**
     * Reads a {@code torch.save} file from a stream (to its end, up to 2 GiB), such as a resource
     * on the class path.
     *
     * @param in the stream; read to its end, not closed
     * @param name what to call the file in messages
     * @return its format and root value
     * @throws UnsafeCheckpointException if the file names a global outside the allowlist
     * @throws CheckpointFormatException if the bytes are not a torch file, are over 2 GiB, or are
     *     truncated or corrupt
     * @throws IOException if reading the stream fails
     */
    public static TorchFile read(InputStream in, String name) throws IOException {
        byte[] bytes = in.readNBytes((int) Source.MAX_BUFFER);
        if (in.read() >= 0) {
            throw new CheckpointFormatException(name, "is over 2 GiB; read such files from a path");
        }
        return read(bytes, name);
    }

    private static TorchFile readPath(Path path) throws IOException {
        if (path.getFileSystem() == FileSystems.getDefault()) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                return read(path, Source.mapped(ch));
            }
        }
        // Other providers (zip and jar files, in-memory file systems) cannot map: read the bytes.
        if (Files.size(path) > Source.MAX_BUFFER) {
            throw new CheckpointFormatException(path.toString(), "is over 2 GiB; such files are read only from the"
                    + " default file system");
        }
        return read(path, Source.inMemory(ByteBuffer.wrap(Files.readAllBytes(path))));
    }

    private static TorchFile read(Path path, Source source) throws IOException {
        String name = path.toString();
        ByteBuffer head = source.region(0, (int) Math.min(8, source.size()));
        if (head.remaining() >= 4 && head.get(0) == 'P' && head.get(1) == 'K') {
            return readZip(path, source, name);
        }
        if (head.remaining() >= 2 && (head.get(0) & 0xff) == PickleOpcodes.PROTO) {
            Object[] rootAndSize = LegacyFormat.read(source, name);
            return new TorchFile(path, TorchFormat.TORCH_LEGACY, rootAndSize[0], (Long) rootAndSize[1]);
        }
        throw new CheckpointFormatException(name, source.size() == 0 ? "file is empty"
                : "not a torch.save file (neither a zip archive nor a legacy pickle)");
    }

    /**
     * Reads a file that holds a state dict ({@code torch.save(model.state_dict(), f)}).
     *
     * @param path the file
     * @return the state dict, with its {@code _metadata}
     * @throws CheckpointFormatException if the file holds something other than a map with string
     *     keys, or is malformed
     * @throws UnsafeCheckpointException if the file names a global outside the allowlist
     * @throws IOException if the file cannot be read
     */
    public static StateDict readStateDict(Path path) throws IOException {
        return StateDict.fromPickled(read(path).root(), path.toString());
    }

    /**
     * Writes {@code value} as a {@code torch.save} zip file, atomically: into a temporary file beside
     * {@code path}, synced, then moved over it; on failure {@code path} is left as it was.
     *
     * @param path the file to create or replace
     * @param value a {@link StateDict}, or nested maps, lists, {@link Tuple}s, tensors, strings,
     *     numbers, booleans, nulls, byte arrays, dtypes, qschemes and devices
     * @throws IllegalArgumentException if the value holds a type torch files cannot
     * @throws java.nio.file.FileSystemException if the file system refuses (permission denied, no
     *     such folder, ...): it names {@code path}, never the temporary file
     * @throws IOException if writing fails
     */
    public static void write(Path path, Object value) throws IOException {
        Pickler pickler = new Pickler();
        byte[] pickle = pickler.pickle(value);
        String archive = archiveName(path.toAbsolutePath());
        AtomicWrite.write(path, ch -> writeZip(ch, archive, pickle, pickler.storages()));
    }

    /**
     * The folder torch 1.13 names the records after: the file name up to its last dot
     * ({@code best_model_weights.pt} gives {@code best_model_weights}). torch refuses a name with an
     * empty stem ({@code .pt}); here it gets the name torch gives a buffer, {@code archive}.
     */
    private static String archiveName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        return stem.isEmpty() ? DEFAULT_ROOT : stem;
    }

    /**
     * Writes the records as torch 1.13's {@code _save} does: {@code data.pkl}, the storages in the
     * order of their keys sorted as strings ("0", "1", "10", "11", ..., "2"), then {@code version};
     * no {@code byteorder} record (torch 1.13 writes none: its files are little-endian).
     */
    private static void writeZip(FileChannel ch, String archiveName, byte[] pickle, List<Storage> storages)
            throws IOException {
        String root = archiveName + "/";
        ZipWriter zip = new ZipWriter(ch);
        zip.add(root + "data.pkl", ByteBuffer.wrap(pickle));
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < storages.size(); i++) {
            keys.add(Integer.toString(i));
        }
        Collections.sort(keys);
        for (String key : keys) {
            Storage s = storages.get(Integer.parseInt(key));
            zip.add(root + "data/" + key, new ZipWriter.Content() {
                @Override
                public long size() {
                    return s.nbytes();
                }

                @Override
                public void writeTo(WritableByteChannel out) throws IOException {
                    s.writeLittleEndian(out);
                }
            });
        }
        zip.add(root + "version", ByteBuffer.wrap("3\n".getBytes(StandardCharsets.US_ASCII)));
        zip.finish();
    }

    private static TorchFile readZip(Path path, Source source, String name) throws IOException {
        ZipArchive zip = ZipArchive.open(source, name);
        if (zip.entry("constants.pkl") != null) {
            throw new CheckpointFormatException(name, "is a TorchScript archive (torch.jit.save), not a torch.save file");
        }
        ZipArchive.Entry pkl = zip.entry("data.pkl");
        if (pkl == null) {
            throw new CheckpointFormatException(name, "has no " + zip.root() + "data.pkl record: not a torch.save file");
        }
        if (pkl.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointFormatException(name, "data.pkl of " + pkl.size() + " bytes is too large");
        }
        if (zip.entry("version") == null) {
            // torch refuses such files too ("Expected hasRecord(\"version\")").
            throw new CheckpointFormatException(name, "has no " + zip.root() + "version record: not a torch.save file");
        }
        ByteBuffer pickle = zip.bytes(pkl).slice(0, (int) pkl.size());
        Object root = new Unpickler(pickle, name + ": " + pkl.name(), storageLoader(zip, "data/", name)).load();
        return new TorchFile(path, TorchFormat.TORCH_ZIP, root, pkl.size());
    }

    /**
     * Resolves the storage ids of one pickle of {@code zip} to the records under {@code folder}
     * ({@code data/} for torch.save files and TorchScript's {@code data.pkl}, {@code constants/}
     * for TorchScript's {@code constants.pkl}).
     */
    static PersistentLoader storageLoader(ZipArchive zip, String folder, String name) throws IOException {
        ByteOrder order = byteOrder(zip, name);
        Map<String, Storage> storages = new HashMap<>();
        return pid -> {
            StorageRef ref = StorageRef.parse(pid, name);
            Storage s = storages.get(ref.key());
            if (s == null) {
                s = new Storage(ref.dtype(), ref.numel(), order, storageBytes(zip, folder, ref, name));
                storages.put(ref.key(), s);
            } else if (s.dtype() != ref.dtype() || s.numel() != ref.numel()) {
                throw new CheckpointFormatException(name, "storage " + ref.key() + " is declared with two types or sizes");
            }
            return s;
        };
    }

    private static StorageBytes storageBytes(ZipArchive zip, String folder, StorageRef ref, String name)
            throws CheckpointException {
        ZipArchive.Entry e = zip.entry(folder + ref.key());
        if (e == null) {
            throw new CheckpointFormatException(name, "storage record " + zip.root() + folder + ref.key() + " is missing");
        }
        long needed = ref.nbytes();
        if (e.size() < needed) {
            throw new CheckpointFormatException(name, "storage " + ref.key() + " declares " + ref.numel() + " "
                    + ref.dtype().torchName() + " elements (" + needed + " bytes) but its record has " + e.size());
        }
        try {
            return zip.bytes(e);
        } catch (CheckpointException ex) {
            throw ex;
        } catch (IOException ex) {
            throw new CheckpointFormatException(name, "cannot read storage " + ref.key() + ": " + ex.getMessage(), ex);
        }
    }

    private static ByteOrder byteOrder(ZipArchive zip, String name) throws IOException {
        ZipArchive.Entry e = zip.entry("byteorder");
        if (e == null) {
            return ByteOrder.LITTLE_ENDIAN;
        }
        if (e.size() > 16) {
            throw new CheckpointFormatException(name, "byteorder record is " + e.size() + " bytes; expected 'little' or 'big'");
        }
        ByteBuffer b = zip.bytes(e).slice(0, (int) e.size());
        byte[] text = new byte[b.remaining()];
        b.get(text);
        switch (new String(text, StandardCharsets.US_ASCII).trim()) {
            case "little": return ByteOrder.LITTLE_ENDIAN;
            case "big": return ByteOrder.BIG_ENDIAN;
            default: throw new CheckpointFormatException(name, "byteorder record must be 'little' or 'big'");
        }
    }
}
