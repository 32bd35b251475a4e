package io.qcheckpoint.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.qcheckpoint.pt.ByteSink;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.NamedTensor;
import io.qcheckpoint.pt.Quantization;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFile;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What {@code qcheckpoint inspect} reports about a file: every tensor reachable from its root,
 * as a JSON object ({@link #toJson}) or a table ({@link #printTable}).
 *
 * <p>The JSON has the form
 * <pre>{@code
 * {"format": "torch-zip" | "torch-legacy",
 *  "tensors": [{"key": "fc.weight", "dtype": "qint8", "shape": [4, 8],
 *               "quantization": null
 *                 | {"scheme": "per_tensor_affine", "scale": 0.1, "zero_point": 3}
 *                 | {"scheme": "per_channel_affine" | "per_channel_affine_float_qparams",
 *                    "axis": 0, "scales": [...], "zero_points": [...]},
 *               "sha256": "<hex of the tensor's elements>" | null}]}
 * }</pre>
 * which is what a torch script computes from {@code torch.load} of the same file, so the two can be
 * compared field by field. Hashing is bounded by what the file holds, not by what its tensors claim
 * to view: a tensor reached under several keys is hashed once, and once the bytes hashed would pass
 * {@link #HASH_BUDGET_PER_FILE_BYTE} times what the file stores (its pickle and each storage once)
 * plus {@link #HASH_BUDGET_SLACK} (a
 * stride-0 view of 2^40 elements takes 753 bytes to store), the remaining tensors get
 * {@code "sha256": null} and a {@code "sha256_skipped"} reason. Non-finite floats appear as the strings {@code "nan"}, {@code "inf"},
 * {@code "-inf"} (Python's spelling), since JSON has no such numbers.
 */
public final class InspectReport {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Bytes of tensor elements hashed per byte of the file, at most. */
    public static final long HASH_BUDGET_PER_FILE_BYTE = 16;
    /** Bytes of tensor elements that may always be hashed. */
    public static final long HASH_BUDGET_SLACK = 256L << 20;

    private InspectReport() {
    }

    /**
     * Builds the JSON report of a file, reading every tensor's elements to hash them.
     *
     * @param file the file, as {@link io.qcheckpoint.pt.TorchFiles#read} returned it
     * @return {@code {"format": ..., "tensors": [...]}}
     * @throws CheckpointFormatException if the value cannot be walked (see {@link TorchFile#tensors()})
     *     or quantization parameters are of a type no torch file holds
     * @throws IOException if reading a tensor's data fails
     */
    public static ObjectNode toJson(TorchFile file) throws IOException {
        ObjectNode root = JSON.objectNode();
        root.put("format", file.format().label());
        ArrayNode tensors = root.putArray("tensors");
        List<NamedTensor> all = file.tensors();
        Hashes hashes = new Hashes(storedBytes(file, all) * HASH_BUDGET_PER_FILE_BYTE + HASH_BUDGET_SLACK);
        for (NamedTensor nt : all) {
            tensors.add(tensorJson(file, nt, hashes));
        }
        return root;
    }

    /** What the file holds: its pickle and each storage once, however many tensors view it. */
    private static long storedBytes(TorchFile file, List<NamedTensor> tensors) {
        Map<Object, Boolean> seen = new IdentityHashMap<>();
        long bytes = file.pickleBytes();
        for (NamedTensor nt : tensors) {
            if (seen.put(nt.tensor().storage(), Boolean.TRUE) == null) {
                bytes += nt.tensor().storage().nbytes();
            }
        }
        return bytes;
    }

    /** The hashes made so far, by tensor, and the bytes the budget has left. */
    private static final class Hashes {
        private final Map<Tensor, String> done = new IdentityHashMap<>();
        private long left;

        Hashes(long budget) {
            this.left = budget;
        }

        void put(ObjectNode o, Tensor t) throws IOException {
            String known = done.get(t);
            if (known == null && t.nbytes() > left) {
                o.putNull("sha256");
                o.put("sha256_skipped", "its " + t.nbytes() + " bytes of elements would take hashing past "
                        + HASH_BUDGET_PER_FILE_BYTE + " times what the file stores");
                return;
            }
            if (known == null) {
                left -= t.nbytes();
                known = sha256(t);
                done.put(t, known);
            }
            o.put("sha256", known);
        }
    }

    private static ObjectNode tensorJson(TorchFile file, NamedTensor nt, Hashes hashes) throws IOException {
        Tensor t = nt.tensor();
        ObjectNode o = JSON.objectNode();
        o.put("key", nt.key());
        o.put("dtype", t.dtype().torchName());
        ArrayNode shape = o.putArray("shape");
        for (long s : t.shape()) {
            shape.add(s);
        }
        o.set("quantization", quantizationJson(file, nt.key(), t.quantization()));
        hashes.put(o, t);
        return o;
    }

    private static JsonNode quantizationJson(TorchFile file, String key, Quantization q) throws CheckpointFormatException {
        if (q == null) {
            return JSON.nullNode();
        }
        ObjectNode o = JSON.objectNode();
        o.put("scheme", q.scheme().torchName());
        if (q instanceof Quantization.PerTensor pt) {
            o.set("scale", number(pt.scale()));
            o.put("zero_point", pt.zeroPoint());
            return o;
        }
        Quantization.PerChannel pc = (Quantization.PerChannel) q;
        o.put("axis", pc.axis());
        ArrayNode scales = o.putArray("scales");
        for (double s : doubles(file, key, "scales", pc.scales())) {
            scales.add(number(s));
        }
        ArrayNode zeroPoints = o.putArray("zero_points");
        if (isRealFloat(pc.zeroPoints().dtype())) {
            for (double z : pc.zeroPoints().toDoubleArray()) {
                zeroPoints.add(number(z));
            }
        } else if (isInteger(pc.zeroPoints().dtype())) {
            for (long z : pc.zeroPoints().toLongArray()) {
                zeroPoints.add(z);
            }
        } else {
            throw badQParams(file, key, "zero points", pc.zeroPoints());
        }
        return o;
    }

    private static double[] doubles(TorchFile file, String key, String what, Tensor t) throws CheckpointFormatException {
        if (!isRealFloat(t.dtype())) {
            throw badQParams(file, key, what, t);
        }
        return t.toDoubleArray();
    }

    private static CheckpointFormatException badQParams(TorchFile file, String key, String what, Tensor t) {
        return new CheckpointFormatException(file.path().toString(), "tensor '" + key + "' has per-channel " + what
                + " of dtype " + t.dtype().torchName() + ", which torch cannot quantize with");
    }

    private static boolean isRealFloat(DType d) {
        return d == DType.FLOAT32 || d == DType.FLOAT64 || d == DType.FLOAT16 || d == DType.BFLOAT16;
    }

    private static boolean isInteger(DType d) {
        return d == DType.INT64 || d == DType.INT32 || d == DType.INT16 || d == DType.INT8 || d == DType.UINT8;
    }

    /** A double as JSON: a number when finite, else Python's {@code str()} of it. */
    private static JsonNode number(double v) {
        if (Double.isNaN(v)) {
            return JSON.textNode("nan");
        }
        if (Double.isInfinite(v)) {
            return JSON.textNode(v > 0 ? "inf" : "-inf");
        }
        return JSON.numberNode(v);
    }

    /**
     * Hashes a tensor's elements as {@link Tensor#writeData} gives them (row-major, little-endian,
     * the integer representation of quantized types), streaming rather than copying them.
     *
     * @param t the tensor
     * @return the SHA-256 digest in lower-case hex
     * @throws IOException if reading the data fails
     */
    public static String sha256(Tensor t) throws IOException {
        MessageDigest md = newSha256();
        t.writeData(ByteSink.of(md::update));
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Prints the readable report: one aligned row per tensor (key, dtype, shape, quantization,
     * bytes), then a total line. Tensors' data is not read.
     *
     * @param file the file
     * @param out where to print
     * @throws CheckpointFormatException if the value cannot be walked (see {@link TorchFile#tensors()})
     */
    public static void printTable(TorchFile file, PrintWriter out) throws CheckpointFormatException {
        List<NamedTensor> tensors = file.tensors();
        TextTable table = new TextTable(true, "KEY", "DTYPE", "SHAPE", "QUANTIZATION", "BYTES");
        long total = 0;
        for (NamedTensor nt : tensors) {
            Tensor t = nt.tensor();
            total += t.nbytes();
            table.add(nt.key().isEmpty() ? "<root>" : nt.key(), t.dtype().torchName(), shape(t.shape()),
                    summary(t.quantization()), Long.toString(t.nbytes()));
        }
        out.println(file.path() + " (" + file.format().label() + ")");
        table.print(out);
        out.println(tensors.size() + (tensors.size() == 1 ? " tensor, " : " tensors, ") + total + " bytes");
    }

    private static String shape(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    /**
     * Summarises quantization parameters in a few words, such as
     * {@code per_tensor_affine scale=0.1 zp=3} or {@code per_channel_affine axis=0 (4 ch)}.
     *
     * @param q the parameters, or null
     * @return the summary, {@code -} for null
     */
    public static String summary(Quantization q) {
        if (q == null) {
            return "-";
        }
        if (q instanceof Quantization.PerTensor pt) {
            return q.scheme().torchName() + " scale=" + pt.scale() + " zp=" + pt.zeroPoint();
        }
        Quantization.PerChannel pc = (Quantization.PerChannel) q;
        return q.scheme().torchName() + " axis=" + pc.axis() + " (" + pc.scales().numel() + " ch)";
    }
}
