package io.qcheckpoint.pt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link TorchFiles#read} found in a file: its container format and the unpickled root value.
 *
 * @param path the file
 * @param format its container
 * @param root the value {@code torch.load} would return, in this package's Java types
 * @param pickleBytes the size of the pickle(s) the value was built from, which bounds how much
 *     work walking it may take
 */
public record TorchFile(Path path, TorchFormat format, Object root, long pickleBytes) {
    private static final int MAX_DEPTH = 1000;

    /**
     * Lists every tensor reachable from the root, depth-first in container order (map insertion
     * order, list and tuple index order), the quantization parameters of quantized tensors excluded.
     * A tensor reachable along two paths is listed under both.
     *
     * @return the tensors with their dotted keys
     * @throws CheckpointFormatException if the value is cyclic, nested over 1000 deep, or shares
     *     structure so much that walking it would take more steps than its pickle has bytes
     */
    public List<NamedTensor> tensors() throws CheckpointFormatException {
        List<NamedTensor> out = new ArrayList<>();
        long[] budget = {8 * pickleBytes + 1024};
        walk(root, "", 0, new IdentityHashMap<>(), budget, out);
        return out;
    }

    private void walk(Object o, String key, int depth, Map<Object, Boolean> onPath, long[] budget,
                      List<NamedTensor> out) throws CheckpointFormatException {
        if (--budget[0] < 0) {
            throw new CheckpointFormatException(path.toString(), "shares structure so often that listing its"
                    + " tensors would not end in reasonable time");
        }
        if (depth > MAX_DEPTH) {
            throw new CheckpointFormatException(path.toString(), "values nested deeper than " + MAX_DEPTH);
        }
        if (o instanceof Tensor t) {
            out.add(new NamedTensor(key, t));
            return;
        }
        if (!(o instanceof Map<?, ?> || o instanceof List<?> || o instanceof Tuple)) {
            return;
        }
        if (onPath.put(o, Boolean.TRUE) != null) {
            throw new CheckpointFormatException(path.toString(), "value at '" + key + "' contains itself");
        }
        String prefix = key.isEmpty() ? "" : key + ".";
        if (o instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                walk(e.getValue(), prefix + pyStr(e.getKey()), depth + 1, onPath, budget, out);
            }
        } else {
            List<?> items = o instanceof Tuple t ? t.items() : (List<?>) o;
            for (int i = 0; i < items.size(); i++) {
                walk(items.get(i), prefix + i, depth + 1, onPath, budget, out);
            }
        }
        onPath.remove(o);
    }

    /** Python's {@code str()} of a dict key, so that keys read as they do in Python. */
    static String pyStr(Object k) {
        if (k instanceof Tuple t) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < t.size(); i++) {
                Object v = t.get(i);
                sb.append(i == 0 ? "" : ", ").append(v instanceof String s ? "'" + s + "'" : pyStr(v));
            }
            return sb.append(t.size() == 1 ? ",)" : ")").toString();
        }
        if (k instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (k instanceof Double d) {
            return floatRepr(d);
        }
        return k == null ? "None" : k.toString();
    }

    /** Python's {@code repr} of a float: shortest digits, exponent form below 1e-4 and from 1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "nan";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "inf" : "-inf";
        }
        if (d == 0) {
            return 1 / d < 0 ? "-0.0" : "0.0";
        }
        java.math.BigDecimal v = new java.math.BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = v.precision() - v.scale() - 1;
        if (exponent < -4 || exponent >= 16) {
            String digits = v.unscaledValue().abs().toString();
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        String plain = v.toPlainString();
        return plain.contains(".") ? plain : plain + ".0";
    }
}
