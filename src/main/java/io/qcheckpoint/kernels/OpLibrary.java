package io.qcheckpoint.kernels;

import ai.djl.engine.Engine;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The TorchScript op library: one module {@code Ops} whose methods call libtorch's quantized
 * kernels. Its source (the serialized TorchScript dialect, {@code ops.ts.py}) is packed into an
 * archive in memory and loaded once per process; the module lives as long as the process.
 */
final class OpLibrary {
    private static final String SOURCE = "ops.ts.py";

    /**
     * {@code data.pkl} of a module with no state but {@code training = False}: protocol 2,
     * {@code __torch__.Ops} built by NEWOBJ, then BUILD with {@code {"training": False}}.
     */
    private static final byte[] MODULE_PICKLE = concat(
            new byte[] {(byte) 0x80, 2, 'c'}, ascii("__torch__\nOps\n"),
            new byte[] {')', (byte) 0x81, '}', '(', 'X', 8, 0, 0, 0}, ascii("training"),
            new byte[] {(byte) 0x89, 'u', 'b', '.'});

    /** {@code constants.pkl}: an empty tuple. */
    private static final byte[] EMPTY_CONSTANTS = {(byte) 0x80, 2, ')', '.'};

    private static final class Holder {
        static final OpLibrary INSTANCE = load();
    }

    private final PtSymbolBlock block;

    private OpLibrary(PtSymbolBlock block) {
        this.block = block;
    }

    /** Returns the process's library, loading it on first use. */
    static OpLibrary get() {
        return Holder.INSTANCE;
    }

    /**
     * Runs method {@code name} of the library; the caller closes the result.
     *
     * @throws ai.djl.engine.EngineException if libtorch rejects the arguments
     */
    IValue call(String name, IValue... args) {
        return IValueUtils.runMethod(block, name, args);
    }

    private static OpLibrary load() {
        PtNDManager manager = (PtNDManager) Engine.getEngine("PyTorch").newBaseManager();
        try (InputStream in = new ByteArrayInputStream(archive(source()))) {
            PtSymbolBlock block = JniUtils.loadModule(manager, in, false, false);
            JniUtils.enableInferenceMode(block);
            return new OpLibrary(block);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load the TorchScript op library", e);
        }
    }

    private static byte[] source() throws IOException {
        try (InputStream in = OpLibrary.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException("resource " + SOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        }
    }

    /** A TorchScript archive as {@code torch::jit::load} reads it: stored records under one root. */
    static byte[] archive(byte[] code) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, "ops/version", ascii("10\n")); // 10: gelu takes approximate (torch 1.12)
            stored(zip, "ops/code/__torch__.py", code);
            stored(zip, "ops/data.pkl", MODULE_PICKLE);
            stored(zip, "ops/constants.pkl", EMPTY_CONSTANTS);
        }
        return bytes.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
