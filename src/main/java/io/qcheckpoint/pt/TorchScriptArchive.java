package io.qcheckpoint.pt;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A TorchScript archive ({@code torch.jit.save}) read as data: the module objects of
 * {@code data.pkl} ({@link ScriptObject}s with tensors), the tensors of {@code constants.pkl}, and
 * the text of the compiled code under {@code code/}. The pickles go through the same allowlisted
 * unpickler as {@code torch.save} files, with {@code __torch__} classes read as attribute maps;
 * nothing in the archive runs.
 *
 * @param path the file
 * @param root the root module object
 * @param constants the values of {@code constants.pkl} (the tensors code refers to as {@code CONSTANTS.cN})
 * @param code the source files under {@code code/} by path relative to it, e.g.
 *     {@code __torch__/torch/nn/modules/conv.py}
 */
public record TorchScriptArchive(Path path, ScriptObject root, List<Object> constants, Map<String, String> code) {
    /** The most bytes of code one archive may hold: real models have well under a megabyte. */
    static final long MAX_CODE_BYTES = 64L << 20;
    private static final long MAX_PICKLE_BYTES = Integer.MAX_VALUE - 8;

    /**
     * Reads a TorchScript archive.
     *
     * @param path the file
     * @return its contents
     * @throws UnsafeCheckpointException if a pickle names a global outside the allowlist
     * @throws CheckpointFormatException if the file is not a TorchScript archive, or is malformed
     * @throws IOException if the file cannot be read
     */
    public static TorchScriptArchive read(Path path) throws IOException {
        String name = path.toString();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ZipArchive zip = ZipArchive.open(Source.mapped(ch), name);
            Object root = unpickle(zip, "data.pkl", "data/", name);
            if (!(root instanceof ScriptObject module)) {
                throw new CheckpointFormatException(name, "data.pkl holds " + TorchGlobals.describe(root)
                        + ", not a TorchScript module");
            }
            List<Object> constants = List.of();
            if (zip.entry("constants.pkl") != null) {
                Object c = unpickle(zip, "constants.pkl", "constants/", name);
                if (!(c instanceof Tuple t)) {
                    throw new CheckpointFormatException(name, "constants.pkl holds " + TorchGlobals.describe(c)
                            + ", not a tuple");
                }
                constants = t.items();
            }
            return new TorchScriptArchive(path, module, constants, code(zip, name));
        } catch (CheckpointException | FileSystemException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Tells a TorchScript archive from a {@code torch.save} file without reading its pickles: a zip
     * with a {@code constants.pkl} or {@code code/} record.
     *
     * @param path the file
     * @return whether it is a TorchScript archive
     * @throws IOException if the file cannot be read
     */
    public static boolean isTorchScript(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Source source = Source.mapped(ch);
            ByteBuffer head = source.region(0, (int) Math.min(4, source.size()));
            if (head.remaining() < 4 || head.get(0) != 'P' || head.get(1) != 'K') {
                return false;
            }
            ZipArchive zip = ZipArchive.open(source, path.toString());
            return zip.entry("constants.pkl") != null || zip.entries().keySet().stream()
                    .anyMatch(n -> n.startsWith(zip.root() + "code/"));
        } catch (CheckpointFormatException e) {
            return false;
        }
    }

    private static Object unpickle(ZipArchive zip, String record, String storageFolder, String name) throws IOException {
        ZipArchive.Entry e = zip.entry(record);
        if (e == null) {
            throw new CheckpointFormatException(name, "has no " + zip.root() + record + " record: not a TorchScript archive");
        }
        if (e.size() > MAX_PICKLE_BYTES) {
            throw new CheckpointFormatException(name, record + " of " + e.size() + " bytes is too large");
        }
        ByteBuffer pickle = zip.bytes(e).slice(0, (int) e.size());
        return new Unpickler(pickle, name + ": " + e.name(), TorchFiles.storageLoader(zip, storageFolder, name), true)
                .load();
    }

    private static Map<String, String> code(ZipArchive zip, String name) throws IOException {
        String prefix = zip.root() + "code/";
        Map<String, String> out = new LinkedHashMap<>();
        long total = 0;
        for (ZipArchive.Entry e : zip.entries().values()) {
            if (!e.name().startsWith(prefix) || !e.name().endsWith(".py")) {
                continue;
            }
            total += e.size();
            if (total > MAX_CODE_BYTES) {
                throw new CheckpointFormatException(name, "holds more than " + MAX_CODE_BYTES + " bytes of code");
            }
            ByteBuffer b = zip.bytes(e).slice(0, (int) e.size());
            try {
                out.put(e.name().substring(prefix.length()), StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT).decode(b).toString());
            } catch (CharacterCodingException ex) {
                throw new CheckpointFormatException(name, "code record " + e.name() + " is not UTF-8", ex);
            }
        }
        if (out.isEmpty()) {
            throw new CheckpointFormatException(name, "has no code/ records: not a TorchScript archive");
        }
        return Collections.unmodifiableMap(out);
    }
}
