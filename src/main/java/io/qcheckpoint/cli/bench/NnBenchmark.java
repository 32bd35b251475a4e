package io.qcheckpoint.cli.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.qcheckpoint.cli.bench.NnCase.Correctness;
import io.qcheckpoint.cli.bench.NnCase.Target;
import io.qcheckpoint.cli.bench.NnVariants.Variant;
import io.qcheckpoint.kernels.TensorArrays;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Times int8 inference of networks several ways in one run: the MLP and the CNN as the Java module
 * tree in float32, the Java int8 tree, and torch's TorchScript int8 model with the same weights
 * ({@link NnVariants}); torchvision's ResNet-18 as the hand-written Java int8 tree, the same
 * checkpoint on the model imported from its TorchScript file, and torch's TorchScript int8 model
 * ({@link ImportedVariants}).
 *
 * <p>For each network it first checks the int8 outputs ({@link NnCase#check}, within one output
 * quantization step), then warms every variant up untimed, then runs rounds: in each round every
 * variant runs {@code calls} times back to back and the mean time per call is recorded, the rounds
 * cycling through every order of the variants so that none always follows the same one. The
 * network's ratios ({@link NnCase#targets}) are formed per round and reported as median and best.
 * Every call gets a fresh sub-manager for its intermediates, closed after it, so native memory
 * stays flat however long the run.
 */
public final class NnBenchmark {
    /** Untimed calls of each variant before anything is timed (TorchScript profiles its first runs). */
    static final int WARMUP_CALLS = 5;
    /** Calls of each variant timed to size the rounds when the number of calls is automatic. */
    static final int PROBE_CALLS = 3;
    /** With automatic sizing, the fastest variant's sample lasts at least this long. */
    static final double MIN_SAMPLE_MS = 150;
    /** With automatic sizing, at most this many calls per sample. */
    static final int MAX_AUTO_CALLS = 1000;
    /** An int8 output passes when no element is further than this many output steps from its reference's. */
    static final double MAX_STEPS = 1.0001;
    /** Every network, in the order the benchmark runs them. */
    public static final List<NnNetwork> NETWORKS = List.of(BenchNets.MLP, BenchNets.CNN, ImportedVariants.RESNET18);

    /**
     * What to run.
     *
     * @param modelsDir where the networks' generators wrote the models
     * @param nets the networks, in order
     * @param rounds timed rounds per network
     * @param calls calls of each variant per round; 0 to size them so that the fastest variant's
     *     sample lasts at least {@value #MIN_SAMPLE_MS} ms
     */
    public record Config(Path modelsDir, List<? extends NnNetwork> nets, int rounds, int calls) {
    }

    /**
     * Measurements of one quantity, one per round.
     *
     * @param values the measurements
     */
    public record Series(double[] values) {
        /** Returns the median. */
        public double median() {
            double[] s = values.clone();
            Arrays.sort(s);
            int n = s.length;
            return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        }

        /** Returns the smallest value. */
        public double min() {
            return Arrays.stream(values).min().orElse(Double.NaN);
        }

        /** Returns the largest value. */
        public double max() {
            return Arrays.stream(values).max().orElse(Double.NaN);
        }
    }

    /**
     * One output compared with a reference output: torch's quantized model's, or another variant's.
     *
     * @param variant the variant's label
     * @param reference what it is compared with, as the check's line names it
     * @param elements the number of output elements
     * @param equal how many are bit-equal to the reference's
     * @param maxAbsDiff the largest absolute difference
     * @param step the output quantization step (the scale of the tensor entering the DeQuantStub)
     */
    public record Check(String variant, String reference, int elements, int equal, double maxAbsDiff, double step) {
        /** Returns the largest difference in output steps. */
        public double maxSteps() {
            return maxAbsDiff / step;
        }

        /** Returns whether every element is within one output step of the reference's. */
        public boolean pass() {
            return maxSteps() <= MAX_STEPS;
        }
    }

    /**
     * A ratio of two variants' times, one per round.
     *
     * @param target which variants, and what the median should reach
     * @param values the ratios
     */
    public record Ratio(Target target, Series values) {
        /** Returns whether the median meets the target. */
        public boolean met() {
            return target.met(values.median());
        }
    }

    /**
     * The results for one network.
     *
     * @param name the network's name
     * @param inputShape the input's shape
     * @param checks the int8 outputs' checks
     * @param notes lines about the outputs, for information
     * @param calls calls per variant per round
     * @param labels the variants' labels
     * @param msPerCall per variant, in the order of {@code labels}, the mean time per call in each round
     * @param ratios the judged ratios, per round
     */
    public record NetReport(String name, long[] inputShape, List<Check> checks, List<String> notes, int calls,
                            List<String> labels, List<Series> msPerCall, List<Ratio> ratios) {
        /** Returns whether every int8 output passed its check. */
        public boolean correct() {
            return checks.stream().allMatch(Check::pass);
        }
    }

    private final Config config;
    private final PrintWriter log;

    /**
     * Creates the benchmark.
     *
     * @param config what to run
     * @param log where progress lines go
     */
    public NnBenchmark(Config config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Runs it, one network after the other.
     *
     * @return one report per network
     * @throws IOException if a model file is missing or cannot be read
     */
    public List<NetReport> run() throws IOException {
        // before anything runs, so that a missing file does not surface after minutes of timing
        requireFiles(config.modelsDir(), config.nets());
        List<NetReport> out = new ArrayList<>();
        for (NnNetwork net : config.nets()) {
            out.add(measure(net));
        }
        return out;
    }

    /**
     * Checks that the generator's files are all there.
     *
     * @param dir the models folder
     * @param nets the networks to run
     * @throws NoSuchFileException for the first missing file, its reason saying how to write them
     */
    public static void requireFiles(Path dir, List<? extends NnNetwork> nets) throws NoSuchFileException {
        for (NnNetwork net : nets) {
            List<Path> missing = net.missing(dir);
            if (!missing.isEmpty()) {
                throw new NoSuchFileException(missing.get(0).toString(), null, "missing model file; write the"
                        + " models with " + command(List.of(net), dir.toString()));
            }
        }
    }

    /**
     * Returns the commands that write the networks' files into {@code dir}, for messages.
     *
     * @param nets the networks
     * @param dir the models folder
     * @return the generators' command lines, each once, joined by {@code &&}
     */
    public static String command(List<? extends NnNetwork> nets, String dir) {
        return generators(nets, dir).stream().map(g -> BenchNetFiles.PYTHON + " " + String.join(" ", g))
                .collect(Collectors.joining(" && "));
    }

    /**
     * Returns the network with the given name.
     *
     * @param name {@code mlp}, {@code cnn} or {@code resnet18}
     * @return the network
     * @throws IllegalArgumentException for another name
     */
    public static NnNetwork byName(String name) {
        return NETWORKS.stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no bench nn network '" + name + "'"));
    }

    /**
     * Returns the generators' command lines that write the networks' files into {@code dir}, each once.
     *
     * @param nets the networks
     * @param dir the models folder
     * @return the scripts and their arguments, without the interpreter
     */
    public static List<List<String>> generators(List<? extends NnNetwork> nets, String dir) {
        return nets.stream().map(n -> n.generator(dir)).distinct().toList();
    }

    /**
     * Writes the networks' files into {@code dir} with torch, each generator once.
     *
     * @param dir an existing folder
     * @param nets the networks
     * @param log where the generators' output goes
     * @throws IOException if a generator fails
     */
    public static void generate(Path dir, List<? extends NnNetwork> nets, PrintWriter log) throws IOException {
        for (List<String> args : generators(nets, dir.toString())) {
            BenchNetFiles.runPython(args, log);
        }
    }

    private NetReport measure(NnNetwork net) throws IOException {
        String name = net.name();
        progress("%s: loading the models", name);
        try (NnCase loaded = net.load(config.modelsDir());
             NDManager inputs = Engine.getEngine("PyTorch").newBaseManager()) {
            NDArray input = TensorArrays.toNDArray(inputs, loaded.input());
            Correctness correctness = loaded.check(input, inputs);
            List<Variant> all = loaded.variants();
            int calls = warmUp(name, all, input, inputs);
            List<Series> ms = rounds(name, all, input, inputs, calls);
            List<Ratio> ratios = loaded.targets().stream()
                    .map(t -> new Ratio(t, ratios(ms.get(t.numerator()), ms.get(t.denominator())))).toList();
            return new NetReport(name, loaded.input().shape(), correctness.checks(), correctness.notes(), calls,
                    all.stream().map(Variant::label).toList(), ms, ratios);
        }
    }

    /**
     * The output's quantization step: the scale the generator recorded, else the smallest gap
     * between distinct values of torch's output (a multiple of the scale, so at worst too lenient
     * by that multiple).
     */
    static double outputStep(JsonNode info, float[] expected) {
        JsonNode scale = info.get("output_scale");
        if (scale != null && scale.isNumber() && scale.asDouble() > 0) {
            return scale.asDouble();
        }
        float[] s = expected.clone();
        Arrays.sort(s);
        double gap = Double.POSITIVE_INFINITY;
        for (int i = 1; i < s.length; i++) {
            if (s[i] > s[i - 1]) {
                gap = Math.min(gap, (double) s[i] - s[i - 1]);
            }
        }
        return Double.isInfinite(gap) ? Math.ulp(1f) : gap;
    }

    /**
     * Compares a variant's output with a reference output.
     *
     * @param v the variant
     * @param input the input
     * @param inputs the input's manager
     * @param reference what {@code expected} is, as the check's line names it
     * @param expected the reference output
     * @param step the output quantization step
     * @return the check
     * @throws IllegalStateException if the two outputs differ in size
     */
    static Check check(Variant v, NDArray input, NDManager inputs, String reference, float[] expected, double step) {
        float[] actual = outputOf(v, input, inputs);
        if (actual.length != expected.length) {
            throw new IllegalStateException(v.label() + " gives " + actual.length + " output elements, " + reference
                    + " " + expected.length);
        }
        int equal = 0;
        for (int i = 0; i < actual.length; i++) {
            equal += actual[i] == expected[i] ? 1 : 0;
        }
        return new Check(v.label(), reference, actual.length, equal, maxAbsDiff(expected, actual), step);
    }

    /** Runs a variant once; returns its output's values. */
    static float[] outputOf(Variant v, NDArray input, NDManager inputs) {
        try (NDManager call = inputs.newSubManager()) {
            input.tempAttach(call);
            return v.forward(input).toFloatArray();
        }
    }

    /** Returns the largest absolute difference of two arrays, NaN if their lengths differ. */
    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            return Double.NaN;
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs((double) a[i] - b[i]));
        }
        return max;
    }

    /** Warms every variant up; returns the calls per sample (configured, or sized from probe timings). */
    private int warmUp(String name, List<Variant> variants, NDArray input, NDManager inputs) {
        double fastest = Double.POSITIVE_INFINITY;
        for (Variant v : variants) {
            timeCalls(v, input, inputs, WARMUP_CALLS);
            double ms = timeCalls(v, input, inputs, PROBE_CALLS);
            fastest = Math.min(fastest, ms);
            progress("%s: %s warmed up, %.3f ms per call", name, v.label(), ms);
        }
        if (config.calls() > 0) {
            return config.calls();
        }
        return (int) Math.max(2, Math.min(MAX_AUTO_CALLS, Math.ceil(MIN_SAMPLE_MS / fastest)));
    }

    private List<Series> rounds(String name, List<Variant> variants, NDArray input, NDManager inputs, int calls) {
        int n = variants.size();
        List<int[]> orders = orders(n);
        double[][] ms = new double[n][config.rounds()];
        for (int r = 0; r < config.rounds(); r++) {
            // garbage from the previous round (NDArray and IValue wrappers) is collected outside the timings
            System.gc();
            for (int v : orders.get(r % orders.size())) {
                ms[v][r] = timeCalls(variants.get(v), input, inputs, calls);
            }
            List<String> parts = new ArrayList<>();
            for (int v = 0; v < n; v++) {
                parts.add(f("%s %.3f ms", variants.get(v).label(), ms[v][r]));
            }
            progress("%s: round %d: %s", name, r + 1, String.join(", ", parts));
        }
        List<Series> out = new ArrayList<>();
        for (double[] m : ms) {
            out.add(new Series(m));
        }
        return out;
    }

    /**
     * Every order of {@code n} variants, lexicographically. Rounds cycle through all of them rather
     * than rotating one order: rotation keeps the cyclic sequence, so one variant would always run
     * right after the float32 model and inherit whatever state it leaves (caches, libgomp threads
     * still spinning, clocks).
     */
    static List<int[]> orders(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[0], n, out);
        return out;
    }

    private static void permute(int[] prefix, int n, List<int[]> out) {
        if (prefix.length == n) {
            out.add(prefix);
            return;
        }
        for (int v = 0; v < n; v++) {
            int candidate = v;
            if (Arrays.stream(prefix).noneMatch(p -> p == candidate)) {
                int[] next = Arrays.copyOf(prefix, prefix.length + 1);
                next[prefix.length] = v;
                permute(next, n, out);
            }
        }
    }

    /** Runs {@code calls} calls back to back and returns the mean milliseconds per call. */
    private static double timeCalls(Variant v, NDArray input, NDManager inputs, int calls) {
        long t0 = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            // the input visits a per-call manager, so the call's intermediates and output die with it
            try (NDManager call = inputs.newSubManager()) {
                input.tempAttach(call);
                v.forward(input);
            }
        }
        return (System.nanoTime() - t0) / 1e6 / calls;
    }

    private static Series ratios(Series numerator, Series denominator) {
        double[] r = new double[numerator.values().length];
        for (int i = 0; i < r.length; i++) {
            r[i] = numerator.values()[i] / denominator.values()[i];
        }
        return new Series(r);
    }

    private void progress(String format, Object... args) {
        log.println(f(format, args));
        log.flush();
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
