package io.qcheckpoint.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.ArrayDataset;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.demo.Digits;
import io.qcheckpoint.demo.DigitsCnn;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.tuning.AccuracyCriterion;
import io.qcheckpoint.tuning.Evaluation;
import io.qcheckpoint.tuning.Trial;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code qcheckpoint demo}: the whole workflow on real data. Tunes the digits CNN to int8 in Java
 * against the held-aside test split, saves the LPOT checkpoint, loads it back onto a fresh fp32
 * model with {@link Checkpoints#load}, and prints fp32 against int8: accuracy, size on disk,
 * latency. Exits {@value Main#EXIT_CHECK_FAILED} when the reloaded model predicts differently
 * from the tuned one, or no trial met the accuracy criterion.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Tune the digits CNN (UCI digits, 1,797 8x8 images) to int8 in Java, save it as an LPOT"
                + " checkpoint, load it back and compare fp32 with int8: accuracy, size on disk, latency.",
            "Exits 1 when the reloaded model's predictions differ from the tuned model's, or no trial meets the criterion."})
public final class DemoCommand implements Callable<Integer> {
    private static final int BATCH = 32;
    private static final int LATENCY_BATCH = 64;

    @Option(names = "--out", paramLabel = "DIR",
            description = "Where the checkpoint is written (default: a new temporary folder, kept and printed).")
    private Path out;

    @Option(names = "--relative-loss", defaultValue = "0.01", paramLabel = "FRACTION",
            description = "The accuracy criterion: largest relative loss against fp32 (default: ${DEFAULT-VALUE}).")
    private double relativeLoss;

    @Option(names = "--calibration-batches", defaultValue = "8", paramLabel = "N",
            description = "Calibration batches of " + BATCH + " training images, 1..44 (default: ${DEFAULT-VALUE}).")
    private int calibrationBatches;

    @Option(names = "--max-trials", defaultValue = "20", paramLabel = "N",
            description = "The largest number of trials (default: ${DEFAULT-VALUE}).")
    private int maxTrials;

    @Option(names = "--no-progress", description = "Print no progress bars (for logs).")
    private boolean noProgress;

    @Mixin
    private EngineOption engine = new EngineOption();

    @Spec
    private CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public DemoCommand() {
    }

    /**
     * Runs the demo.
     *
     * @return {@link Main#EXIT_OK}, or {@link Main#EXIT_CHECK_FAILED} if the reloaded model predicts differently
     * @throws IOException if the checkpoint cannot be written (checked before tuning) or read back
     */
    @SuppressWarnings("try") // the engine option's resource restores the engine when it closes
    @Override
    public Integer call() throws IOException {
        checkOptions();
        if (out != null) {
            // before the tuning run, not after it: a bad --out should cost seconds, not the whole run
            QuantizedModel.checkSavable(out);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        Digits all = Digits.load();
        Digits train = all.train();
        Digits test = all.test();
        Path dir = out != null ? out : Files.createTempDirectory("qcheckpoint-demo-");
        stdout.printf(Locale.ROOT, "digits: %d training images (%d for calibration), %d test images%n",
                train.size(), calibrationBatches * BATCH, test.size());
        try (EngineOption.Selected selected = engine.select();
             Module fp32 = fusedPretrained(); NDManager manager = NDManager.newBaseManager();
             TuningProgress progress = new TuningProgress(stdout, !noProgress)) {
            List<NDArray> calibration = calibration(manager, train);
            ArrayDataset testSet = dataset(manager, test);
            Tuner tuner = Tuner.defaults().withCalibration(calibration).withEvaluation(Evaluation.top1(testSet))
                    .withCriterion(AccuracyCriterion.relative(relativeLoss)).withMaxTrials(maxTrials).withListener(progress);
            try (TuningResult result = tuner.tune(fp32)) {
                result.model().save(dir);
                stdout.println();
                printTrials(stdout, result);
                return compare(stdout, result, fp32, manager, test, dir);
            }
        }
    }

    private void checkOptions() {
        if (calibrationBatches < 1 || calibrationBatches > 44) {
            throw new ParameterException(spec.commandLine(), "--calibration-batches must be between 1 and 44");
        }
        if (!(relativeLoss >= 0 && relativeLoss < 1)) {
            throw new ParameterException(spec.commandLine(), "--relative-loss must be in [0, 1)");
        }
        if (maxTrials < 1) {
            throw new ParameterException(spec.commandLine(), "--max-trials must be at least 1");
        }
    }

    /** The pretrained CNN, fused as it is quantized. */
    private static Module fusedPretrained() {
        try (DigitsCnn unfused = DigitsCnn.pretrained()) {
            return FuseModules.fuseModules(unfused, DigitsCnn.FUSE_GROUPS);
        }
    }

    private List<NDArray> calibration(NDManager manager, Digits train) {
        List<NDArray> batches = new ArrayList<>();
        for (int b = 0; b < calibrationBatches; b++) {
            batches.add(train.batch(manager, b * BATCH, (b + 1) * BATCH));
        }
        return batches;
    }

    private static ArrayDataset dataset(NDManager manager, Digits set) {
        NDArray images = set.batch(manager, 0, set.size());
        NDArray labels = TensorArrays.owningCopy(manager.create(set.labels()));
        return new ArrayDataset.Builder().setData(images).optLabels(labels).setSampling(120, false).build();
    }

    private static void printTrials(PrintWriter stdout, TuningResult r) {
        TextTable t = new TextTable(true, "trial", "change", "accuracy", "loss vs fp32", "weights", "eval time");
        t.add("fp32", "-", percent(r.baseline()), "-", kib(r.baselineWeightBytes()), "-");
        for (Trial trial : r.trials()) {
            t.add(String.valueOf(trial.number()), trial.change(), percent(trial.score()),
                    String.format(Locale.ROOT, "%+.2f%%", trial.loss() * 100), kib(trial.weightBytes()),
                    trial.evaluationTime().toMillis() + " ms");
        }
        t.print(stdout);
        stdout.printf(Locale.ROOT, "%nstopped: %s; the result is trial %d%n",
                r.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '), r.best().number());
    }

    /** Loads the checkpoint back, checks its predictions and prints fp32 against int8. */
    private static int compare(PrintWriter stdout, TuningResult r, Module fp32, NDManager manager, Digits test, Path dir)
            throws IOException {
        try (Module fresh = fusedPretrained(); QuantizedModel<?> reloaded = Checkpoints.load(dir, fresh);
             NDManager scratch = manager.newSubManager()) {
            NDArray images = test.batch(scratch, 0, test.size());
            int[] tuned = predictions(r.model().module(), images);
            int[] loaded = predictions(reloaded.module(), images);
            int[] fp32Predicted = predictions(fp32, images);
            NDArray latencyInput = test.batch(scratch, 0, LATENCY_BATCH);
            double fp32Ms = Latency.medianMillis(fp32, latencyInput);
            double int8Ms = Latency.medianMillis(reloaded.module(), latencyInput);
            long fp32Bytes = fp32FileBytes(fp32);
            long int8Bytes = Files.size(dir.resolve(EagerQuantizedModel.WEIGHTS_FILE))
                    + Files.size(dir.resolve(EagerQuantizedModel.CONFIG_FILE));
            stdout.println();
            double fp32Accuracy = accuracy(fp32Predicted, test);
            TextTable t = new TextTable(true, "", "fp32", "int8 (reloaded)", "int8 vs fp32");
            t.add("test accuracy", percent(fp32Accuracy), percent(accuracy(loaded, test)), String.format(Locale.ROOT,
                    "loss %+.2f%%", (fp32Accuracy - accuracy(loaded, test)) / fp32Accuracy * 100));
            t.add("size on disk", kib(fp32Bytes), kib(int8Bytes), times(fp32Bytes, int8Bytes, "smaller", "larger"));
            t.add("latency, batch of " + LATENCY_BATCH, String.format(Locale.ROOT, "%.2f ms", fp32Ms),
                    String.format(Locale.ROOT, "%.2f ms", int8Ms), times(fp32Ms, int8Ms, "faster", "slower"));
            t.print(stdout);
            stdout.println();
            stdout.println("checkpoint: " + dir);
            if (!Arrays.equals(tuned, loaded)) {
                stdout.println("FAILED: the reloaded model predicts differently from the tuned model on "
                        + differences(tuned, loaded) + " of " + tuned.length + " test images");
                return Main.EXIT_CHECK_FAILED;
            }
            stdout.println("the reloaded model predicts exactly as the tuned model on all " + tuned.length + " test images");
            if (!r.criterionMet()) {
                stdout.println("FAILED: no trial met the accuracy criterion (" + r.stopReason() + ")");
                return Main.EXIT_CHECK_FAILED;
            }
            return Main.EXIT_OK;
        }
    }

    private static int[] predictions(Module model, NDArray images) {
        long[] p = model.forward(images).argMax(1).toLongArray();
        return Arrays.stream(p).mapToInt(Math::toIntExact).toArray();
    }

    private static double accuracy(int[] predicted, Digits set) {
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            correct += predicted[i] == set.label(i) ? 1 : 0;
        }
        return (double) correct / predicted.length;
    }

    private static int differences(int[] a, int[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            n += a[i] != b[i] ? 1 : 0;
        }
        return n;
    }

    /** The size of the fp32 model's state dict as torch.save would write it. */
    private static long fp32FileBytes(Module fp32) throws IOException {
        Path file = Files.createTempFile("qcheckpoint-demo-fp32-", ".pt");
        try {
            TorchFiles.write(file, fp32.stateDict().toOrderedDict());
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * fp32 against int8 as the project compares them everywhere (demo, examples, benchmarks): how many
     * times smaller or faster int8 is, e.g. {@code 3.11x smaller}, or larger / slower when it is not.
     */
    private static String times(double fp32, double int8, String better, String worse) {
        return fp32 >= int8 ? String.format(Locale.ROOT, "%.2fx %s", fp32 / int8, better)
                : String.format(Locale.ROOT, "%.2fx %s", int8 / fp32, worse);
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
