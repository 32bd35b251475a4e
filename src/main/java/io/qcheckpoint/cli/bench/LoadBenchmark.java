package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.bench.NnBenchmark.Series;
import io.qcheckpoint.kernels.LoadThreads;
import io.qcheckpoint.kernels.QuantizedEngines;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * Times loading an LPOT checkpoint of torchvision's quantizable ResNets against torch 1.13 doing
 * the same, in one run: warm (the JVM's {@link Checkpoints#load} after untimed loads, alternating
 * with {@code resnet_bench.py warm}'s, LPOT's load steps in one Python process: {@link TorchWarmLoads}),
 * the packing of the checkpoint's weights alone on both sides ({@link WeightPacking}), and in fresh
 * processes (a new JVM against a new Python process, from process start to the first inference, with
 * the resident set at start and at its peak; {@link FreshProcess}).
 */
public final class LoadBenchmark {
    /** The generator and torch's side, relative to a checkout's root. */
    public static final Path SCRIPT = Path.of("src/test/python/resnet_bench.py");
    /** The checkpoint's weights in an architecture's folder. */
    static final String WEIGHTS = "best_model_weights.pt";
    /** The fp32 model's state dict in an architecture's folder. */
    static final String FP32 = "fp32_sd.pt";
    /** The input in an architecture's folder. */
    static final String INPUT = "input.pt";
    /** The files of each architecture's folder the benchmark reads. */
    static final List<String> FILES = List.of("best_configure.yaml", WEIGHTS, FP32, INPUT,
            "output.pt", "case.json");
    /**
     * Untimed loads before the warm ones are timed: a warm JVM is one whose JIT compiler is done with
     * the load's code. Loads still speed up over the first 20-30 (compilations, which also take the
     * core that a load's second packing thread needs).
     */
    static final int WARMUP_LOADS = 30;

    /**
     * What to run.
     *
     * @param modelsDir where {@code resnet_bench.py models} wrote one folder per architecture
     * @param archs the architectures
     * @param iterations timed warm loads on each side
     * @param freshRuns fresh processes on each side, alternating
     * @param jvmOptions options of the fresh JVMs
     * @param intraOpThreads the intra-op threads of the child processes (the fresh JVMs and every
     *     Python process), or null for each library's default
     * @param loadThreads the threads that pack a Java load's weights (this JVM's and the fresh
     *     JVMs'), or 0 for {@link LoadOptions}' default
     */
    public record Config(Path modelsDir, List<ResNets.Arch> archs, int iterations, int freshRuns,
                         List<String> jvmOptions, Integer intraOpThreads, int loadThreads) {
        /** The options of every Java load. */
        LoadOptions loadOptions() {
            return LoadBenchmark.loadOptions(loadThreads);
        }

        /** The threads that pack a Java load's weights, the default resolved. */
        public int resolvedLoadThreads() {
            return loadThreads == 0 ? LoadThreads.defaultCount() : loadThreads;
        }
    }

    /** The options of a Java load that packs on {@code loadThreads} threads, or on the default number for 0. */
    static LoadOptions loadOptions(int loadThreads) {
        return loadThreads == 0 ? LoadOptions.defaults() : LoadOptions.defaults().withLoadThreads(loadThreads);
    }

    /**
     * The loaded model's output against torch's, judged by how far torch 1.13's own engines disagree
     * on the same checkpoint: over a deep network, engines and libtorch versions differ in the last
     * step of some requantizations, and those steps add up.
     *
     * @param elements the number of output elements
     * @param equal how many are bit-equal to torch's
     * @param maxAbsDiff the largest absolute difference
     * @param meanAbsDiff the mean absolute difference
     * @param step the output quantization step
     * @param torchMaxAbsDiff torch 1.13 under qnnpack against torch 1.13 under onednn: the largest difference
     * @param torchMeanAbsDiff the same, the mean difference
     */
    public record OutputCheck(int elements, int equal, double maxAbsDiff, double meanAbsDiff, double step,
                              double torchMaxAbsDiff, double torchMeanAbsDiff) {
        /** Returns whether the output is no further from torch's than torch's two engines are from each other (and within one step of it at worst). */
        public boolean pass() {
            return maxAbsDiff <= Math.max(step, torchMaxAbsDiff) * 1.0001 && meanAbsDiff <= Math.max(torchMeanAbsDiff, 1e-12);
        }
    }

    /**
     * The results for one architecture.
     *
     * @param arch the architecture
     * @param int8Bytes the size of {@code best_model_weights.pt}
     * @param fp32Bytes the size of the fp32 state dict file
     * @param check the Java int8 output against the output of the model torch's LPOT load built
     * @param javaWarmMs the warm {@code Checkpoints.load} times
     * @param torchWarmMs torch's warm load times, each taken right before or after the Java one of the same index
     * @param packing packing the checkpoint's weights alone, both sides
     * @param javaFresh the fresh JVMs
     * @param pythonFresh the fresh Python processes
     */
    public record ArchReport(ResNets.Arch arch, long int8Bytes, long fp32Bytes, OutputCheck check, Series javaWarmMs,
                             Series torchWarmMs, PackTimes packing, List<FreshProcess.Result> javaFresh,
                             List<FreshProcess.Result> pythonFresh) {
    }

    /**
     * Packing a checkpoint's int8 weights alone ({@link WeightPacking}): libtorch 2.7.1's share of a
     * load, against torch 1.13 packing the same weights.
     *
     * @param weights how many weights each pass packs (conv and linear)
     * @param javaMs libtorch 2.7.1's times, in this JVM under its engine
     * @param torchMs torch 1.13's times (onednn), each taken right before or after the Java one of the same index
     */
    public record PackTimes(int weights, Series javaMs, Series torchMs) {
    }

    private final Config config;
    private final PrintWriter log;

    /**
     * Creates the benchmark.
     *
     * @param config what to run
     * @param log where progress lines and the Python side's output go
     */
    public LoadBenchmark(Config config, PrintWriter log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Checks that the generator's files are all there.
     *
     * @param dir the models folder
     * @param archs the architectures to run
     * @throws NoSuchFileException for the first missing file, its reason saying how to write them
     */
    public static void requireFiles(Path dir, List<ResNets.Arch> archs) throws NoSuchFileException {
        for (ResNets.Arch arch : archs) {
            for (String f : FILES) {
                Path p = dir.resolve(arch.name()).resolve(f);
                if (!Files.isRegularFile(p)) {
                    throw new NoSuchFileException(p.toString(), null, "missing model file; write the models with "
                            + command(dir.toString()));
                }
            }
        }
    }

    /** Returns the command that writes the models into {@code dir}, for messages. */
    public static String command(String dir) {
        return BenchNetFiles.PYTHON + " " + SCRIPT + " models " + dir;
    }

    /**
     * Writes the models of {@code archs} into {@code dir} with torch.
     *
     * @param dir an existing folder
     * @param archs the architectures
     * @param log where the generator's output goes
     * @throws IOException if the generator fails
     */
    public static void generate(Path dir, List<ResNets.Arch> archs, PrintWriter log) throws IOException {
        BenchNetFiles.runPython(List.of(SCRIPT.toString(), "models", dir.toString(),
                String.join(",", archs.stream().map(ResNets.Arch::name).toList())), log);
    }

    /**
     * The fp32 model a user hands to {@code load}: fused, with the weights of {@code dir}'s fp32 state dict.
     *
     * @param arch the architecture
     * @param dir the architecture's folder
     * @return the model, owned by the caller
     * @throws IOException if the state dict cannot be read or does not fit
     */
    static Module fp32Model(ResNets.Arch arch, Path dir) throws IOException {
        Module m = arch.fusedModel();
        try {
            m.loadStateDict(TorchFiles.readStateDict(dir.resolve(FP32)), true);
            return m;
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /**
     * Runs it, one architecture after the other.
     *
     * @return one report per architecture
     * @throws IOException if a file is missing or a child process fails
     */
    public List<ArchReport> run() throws IOException {
        requireFiles(config.modelsDir(), config.archs());
        List<ArchReport> out = new ArrayList<>();
        for (ResNets.Arch arch : config.archs()) {
            out.add(measure(arch, config.modelsDir().resolve(arch.name())));
        }
        return out;
    }

    private ArchReport measure(ResNets.Arch arch, Path dir) throws IOException {
        String name = arch.name();
        progress("%s: %d warm loads each side, alternating with torch 1.13's", name, config.iterations());
        OutputCheck check;
        double[] javaWarm = new double[config.iterations()];
        double[] torchWarm = new double[config.iterations()];
        PackTimes packing;
        try (Module fp32 = fp32Model(arch, dir);
             TorchWarmLoads torch = new TorchWarmLoads(python(List.of("warm", dir.toString(), name)))) {
            check = check(dir, fp32);
            for (int i = 0; i < WARMUP_LOADS; i++) {
                timeLoad(dir, fp32);
            }
            alternate(javaWarm, torchWarm, () -> timeLoad(dir, fp32), torch::load, i -> progress(
                    "%s: warm load %d: java %.1f ms, torch %.1f ms", name, i + 1, javaWarm[i], torchWarm[i]));
            packing = timePacking(name, dir, torch);
        }
        List<FreshProcess.Result> javaFresh = new ArrayList<>();
        List<FreshProcess.Result> pythonFresh = new ArrayList<>();
        for (int i = 0; i < config.freshRuns(); i++) {
            // alternating which goes first, so that neither always runs on the other's leftovers
            boolean javaFirst = i % 2 == 0;
            for (boolean java : javaFirst ? new boolean[] {true, false} : new boolean[] {false, true}) {
                FreshProcess.Result r = FreshProcess.run(java ? jvm(dir, name)
                        : python(List.of("fresh", dir.toString(), name)));
                (java ? javaFresh : pythonFresh).add(r);
                progress("%s: fresh %s: first inference after %.0f ms (fp32 model %.0f ms, load %.0f ms, forward %.0f"
                        + " ms), RSS %d MB at start, %d MB with the fp32 model, peak %d MB in the load",
                        name, java ? "JVM" : "Python", r.msToFirstInference(), r.modelMs(), r.loadMs(), r.forwardMs(),
                        r.readyRssKb() / 1024, r.modelRssKb() / 1024, r.peakRssKb() / 1024);
            }
        }
        return new ArchReport(arch, Files.size(dir.resolve(WEIGHTS)), Files.size(dir.resolve(FP32)),
                check, new Series(javaWarm), new Series(torchWarm), packing, javaFresh, pythonFresh);
    }

    /** Both sides pack the checkpoint's weights alone, alternating, after one untimed pass each. */
    private PackTimes timePacking(String name, Path dir, TorchWarmLoads torch) throws IOException {
        double[] java = new double[config.iterations()];
        double[] python = new double[config.iterations()];
        try (WeightPacking packing = new WeightPacking(dir.resolve(WEIGHTS), config.resolvedLoadThreads())) {
            packing.packAllMs();
            checkSameWeights(packing, torch.pack());
            alternate(java, python, packing::packAllMs, () -> checkSameWeights(packing, torch.pack()).ms(), i -> { });
            progress("%s: packing the checkpoint's %d weights alone: java %.1f ms, torch %.1f ms (medians)", name,
                    packing.count(), new Series(java).median(), new Series(python).median());
            return new PackTimes(packing.count(), new Series(java), new Series(python));
        }
    }

    /** Something timed on one side. */
    @FunctionalInterface
    private interface Timed {
        double ms() throws IOException;
    }

    /**
     * Fills {@code java} and {@code torch} with pairs of timings, calling {@code afterPair} with each
     * pair's index.
     */
    private static void alternate(double[] java, double[] torch, Timed javaSide, Timed torchSide, IntConsumer afterPair)
            throws IOException {
        for (int i = 0; i < java.length; i++) {
            // which side goes first alternates, so that neither always runs right after the other
            if (i % 2 == 0) {
                java[i] = javaSide.ms();
                torch[i] = torchSide.ms();
            } else {
                torch[i] = torchSide.ms();
                java[i] = javaSide.ms();
            }
            afterPair.accept(i);
        }
    }

    private static TorchWarmLoads.Packing checkSameWeights(WeightPacking java, TorchWarmLoads.Packing torch) {
        if (torch.count() != java.count()) {
            throw new IllegalStateException("torch packed " + torch.count() + " weights of the checkpoint, Java "
                    + java.count());
        }
        return torch;
    }

    private double timeLoad(Path dir, Module fp32) throws IOException {
        // the previous load's garbage is collected outside the timing, as Python frees it by reference counting
        System.gc();
        long t0 = System.nanoTime();
        QuantizedModel<?> q = Checkpoints.load(dir, fp32, config.loadOptions());
        double ms = (System.nanoTime() - t0) / 1e6;
        q.close();  // untimed, as before the next load
        return ms;
    }

    /** The loaded model's output on the input against the one torch's LPOT load gave. */
    private static OutputCheck check(Path dir, Module fp32) throws IOException {
        float[] expected = ((Tensor) TorchFiles.read(dir.resolve("output.pt")).root()).toFloatArray();
        // a mapper of its own: a static one would load Jackson into every fresh JVM that LoadProbe starts
        // (LoadProbe uses this class), 0.1 s and 20 MB that no checkpoint load needs
        JsonNode info = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
        Tensor input = (Tensor) TorchFiles.read(dir.resolve(INPUT)).root();
        float[] actual;
        try (QuantizedModel<?> q = Checkpoints.load(dir, fp32); NDManager m = NDManager.newBaseManager()) {
            actual = q.forward(TensorArrays.toNDArray(m, input)).toFloatArray();
        }
        if (actual.length != expected.length) {
            throw new IllegalStateException("the Java model gives " + actual.length + " outputs, torch " + expected.length);
        }
        int equal = 0;
        double max = 0;
        double sum = 0;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs((double) actual[i] - expected[i]);
            equal += d == 0 ? 1 : 0;
            max = Math.max(max, d);
            sum += d;
        }
        return new OutputCheck(actual.length, equal, max, sum / actual.length, NnBenchmark.outputStep(info, expected),
                info.path("qnnpack_max_abs_diff").asDouble(0), info.path("qnnpack_mean_abs_diff").asDouble(0));
    }

    private ProcessBuilder jvm(Path dir, String arch) {
        List<String> c = new ArrayList<>();
        c.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        c.add("-Dai.djl.offline=true");
        c.add("-Dorg.slf4j.simpleLogger.log.ai.djl=error");
        if (config.intraOpThreads() != null) {
            c.add("-Dai.djl.pytorch.num_threads=" + config.intraOpThreads());
        }
        c.addAll(config.jvmOptions());
        // the engine this JVM runs under, so that the fresh JVM packs and runs as the warm loads did
        c.addAll(List.of("-cp", System.getProperty("java.class.path"), LoadProbe.class.getName(), dir.toString(), arch,
                QuantizedEngines.get().torchName(), Integer.toString(config.loadThreads())));
        return new ProcessBuilder(c);
    }

    /** {@code resnet_bench.py} with {@code args}, under the configured threads. */
    private ProcessBuilder python(List<String> args) {
        List<String> c = new ArrayList<>(List.of(BenchNetFiles.PYTHON.toString(), SCRIPT.toString()));
        c.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(c);
        if (config.intraOpThreads() != null) {
            pb.environment().put("OMP_NUM_THREADS", config.intraOpThreads().toString());
        }
        return pb;
    }

    private void progress(String format, Object... args) {
        log.println(String.format(Locale.ROOT, format, args));
        log.flush();
    }
}
