package io.qcheckpoint.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.kernels.TensorArrays;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.IntPredicate;
import java.util.zip.GZIPInputStream;

/**
 * The UCI hand-written digits as scikit-learn ships them (see {@code DIGITS.md} beside the
 * resource): 1,797 grey 8x8 images with pixels 0..16, each labelled with its digit 0..9.
 *
 * <p>{@link #load()} returns every row of the resource in file order; {@link #train()} and
 * {@link #test()} split it by row number as {@code src/test/python/train_digits_cnn.py} does:
 * row {@code r} is a test row when {@code r % 5 == 0} (360 rows), otherwise a training row (1,437).
 * Images are {@code pixels / 16f}, the model's input. Immutable; holds no native memory.
 */
public final class Digits {
    /** The resource, beside this class. */
    static final String RESOURCE = "digits.csv.gz";
    /** The number of rows of the resource. */
    static final int ROWS = 1797;
    /** Pixels per image (8 x 8). */
    public static final int PIXELS = 64;

    private final byte[] pixels;
    private final byte[] labels;
    /** The rows of the file this set holds, ascending. */
    private final int[] rows;

    private Digits(byte[] pixels, byte[] labels, int[] rows) {
        this.pixels = pixels;
        this.labels = labels;
        this.rows = rows;
    }

    /**
     * Reads the digits from the {@code digits.csv.gz} resource.
     *
     * @return all 1,797 images, in file order
     * @throws IllegalStateException if the resource is missing, is not gzip, has a malformed row
     *     (the message names it) or does not hold 1,797 rows
     */
    public static Digits load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + Digits.class.getPackageName().replace('.', '/') + "/"
                        + RESOURCE + " is missing from the class path");
            }
            Digits d = parse(in, RESOURCE);
            if (d.size() != ROWS) {
                throw new IllegalStateException(RESOURCE + " holds " + d.size() + " rows, expected " + ROWS);
            }
            return d;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Parses gzip-compressed CSV rows of 64 pixels (0..16) then the label (0..9).
     *
     * @param gzip the compressed stream (not closed)
     * @param name the source's name, for messages
     * @return every row, in order
     * @throws IllegalStateException if a row is malformed (the message names it) or there is no row
     * @throws IOException if the stream is not gzip or cannot be read
     */
    static Digits parse(InputStream gzip, String name) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(gzip), StandardCharsets.US_ASCII));
        byte[] px = new byte[ROWS * PIXELS];
        byte[] lb = new byte[ROWS];
        int n = 0;
        for (String line = r.readLine(); line != null; line = r.readLine()) {
            if (n == lb.length) {
                lb = Arrays.copyOf(lb, n * 2);
                px = Arrays.copyOf(px, n * 2 * PIXELS);
            }
            String[] fields = line.split(",", -1);
            if (fields.length != PIXELS + 1) {
                throw corrupt(name, n, "has " + fields.length + " fields, expected " + (PIXELS + 1));
            }
            for (int j = 0; j < PIXELS; j++) {
                px[n * PIXELS + j] = (byte) field(name, n, fields, j, 16);
            }
            lb[n] = (byte) field(name, n, fields, PIXELS, 9);
            n++;
        }
        if (n == 0) {
            throw new IllegalStateException(name + " holds no rows");
        }
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return new Digits(Arrays.copyOf(px, n * PIXELS), Arrays.copyOf(lb, n), rows);
    }

    private static int field(String name, int row, String[] fields, int j, int max) {
        String what = j == PIXELS ? "label" : "pixel " + j;
        int v;
        try {
            v = Integer.parseInt(fields[j]);
        } catch (NumberFormatException e) {
            throw corrupt(name, row, what + " '" + fields[j] + "' is not an integer");
        }
        if (v < 0 || v > max) {
            throw corrupt(name, row, what + " " + v + " is outside 0.." + max);
        }
        return v;
    }

    private static IllegalStateException corrupt(String name, int row, String problem) {
        return new IllegalStateException(name + " is corrupt: row " + row + " (line " + (row + 1) + ") " + problem);
    }

    /** Returns the number of images. */
    public int size() {
        return rows.length;
    }

    /**
     * Returns an image, scaled to the model's input range.
     *
     * @param i the image's index in this set
     * @return a new array of 64 floats, {@code pixel / 16f}, row-major
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     */
    public float[] image(int i) {
        int base = rows[Objects.checkIndex(i, rows.length)] * PIXELS;
        float[] out = new float[PIXELS];
        for (int j = 0; j < PIXELS; j++) {
            out[j] = pixels[base + j] / 16f;
        }
        return out;
    }

    /**
     * Returns an image's label.
     *
     * @param i the image's index in this set
     * @return the digit, 0..9
     * @throws IndexOutOfBoundsException if {@code i} is not in {@code [0, size())}
     */
    public int label(int i) {
        return labels[rows[Objects.checkIndex(i, rows.length)]];
    }

    /** Returns a new array of every label of this set, in order. */
    public int[] labels() {
        int[] out = new int[rows.length];
        Arrays.setAll(out, this::label);
        return out;
    }

    /**
     * Returns the training images of this set: those whose row in the file is not a multiple of 5.
     *
     * @return the subset, in order (1,437 images of {@link #load()})
     */
    public Digits train() {
        return select(r -> r % 5 != 0);
    }

    /**
     * Returns the test images of this set: those whose row in the file is a multiple of 5.
     *
     * @return the subset, in order (360 images of {@link #load()})
     */
    public Digits test() {
        return select(r -> r % 5 == 0);
    }

    /**
     * Returns images {@code from} (inclusive) to {@code to} (exclusive) as a model input.
     *
     * @param manager the owner of the new array
     * @param from the first image's index
     * @param to the index after the last image
     * @return a float32 array of shape {@code (to - from, 1, 8, 8)}
     * @throws IndexOutOfBoundsException if the range is not within {@code [0, size()]} or is reversed
     */
    public NDArray batch(NDManager manager, int from, int to) {
        Objects.checkFromToIndex(from, to, rows.length);
        float[] data = new float[(to - from) * PIXELS];
        for (int i = from; i < to; i++) {
            System.arraycopy(image(i), 0, data, (i - from) * PIXELS, PIXELS);
        }
        // a dataset's batches are views of this array, and must stay valid on their own
        return TensorArrays.owningCopy(manager.create(data, new Shape(to - from, 1, 8, 8)));
    }

    private Digits select(IntPredicate row) {
        return new Digits(pixels, labels, Arrays.stream(rows).filter(row).toArray());
    }

    @Override
    public String toString() {
        return "Digits[" + rows.length + " images]";
    }
}
