import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.EagerQuantizedModel;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.config.Approach;
import io.qcheckpoint.lpot.LpotOps;
import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module; // by name: with io.qcheckpoint.nn.*, Module would clash with java.lang.Module
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.Sequential;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.tuning.AccuracyCriterion;
import io.qcheckpoint.tuning.Evaluation;
import io.qcheckpoint.tuning.StopReason;
import io.qcheckpoint.tuning.Trial;
import io.qcheckpoint.tuning.Tuner;
import io.qcheckpoint.tuning.TuningListener;
import io.qcheckpoint.tuning.TuningResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Post-training static quantization of a small ResNet, in Java, as LPOT's ResNet-50 PTQ example
 * does it in Python: build the float model, fuse it, tune it to int8 against an accuracy criterion,
 * save the LPOT checkpoint, load it back and compare fp32 with int8.
 *
 * <p>Usage: {@code examples/resnet-ptq/run [CHECKPOINT_DIR [RELATIVE_LOSS]] [--no-progress]}, or
 * {@code java -Dai.djl.offline=true -Dorg.slf4j.simpleLogger.log.ai.djl=error -cp
 * "target/qcheckpoint-VERSION.jar:target/lib/*" examples/resnet-ptq/ResNetPtq.java ...} (the
 * logging property keeps DJL's start-up lines out of the output). CHECKPOINT_DIR (default: a new
 * temporary folder; else created with any missing parents, checked before tuning, and it may hold
 * only checkpoint files, which are replaced) receives
 * {@code best_configure.yaml} and {@code best_model_weights.pt}. RELATIVE_LOSS (default 0.01, as
 * LPOT's default {@code accuracy_criterion}) is the largest accuracy loss accepted, relative to
 * fp32. {@code --no-progress} draws no progress bars (for logs).
 *
 * <p>No download, no training: the model stands in for a trained one. Its convolutions keep seeded
 * random weights (a random-feature network); its batch norms get the statistics of the images, as
 * training would leave them; its classifier is fitted in closed form (nearest class mean) to ten
 * synthetic classes of images, each a colour and a stripe pattern, with noise. Everything is
 * seeded, so each run prints the same trials and writes the same checkpoint; only the timings vary.
 *
 * <p>The "accuracy" the tuner maximizes is <em>top-1 agreement with the fp32 model</em>: the share
 * of the 256 evaluation images on which a candidate predicts the class that the fp32 model
 * predicts. The weights are random, so the fp32 model's predictions, not the synthetic labels
 * (which serve only to fit the classifier), are the reference; and agreement is exactly what
 * quantization can change. The fp32 model scores 100% by definition, and an int8 model's loss is
 * the share of predictions quantization flipped, which the accuracy criterion bounds (1% of 256
 * images: at most 2 flips). This is stricter than comparing accuracies, where flips among wrong
 * predictions go unseen.
 *
 * <p>Exits 1 when the reloaded checkpoint's outputs are not bit-identical to the tuned model's, 2
 * on bad arguments or when the checkpoint cannot be written or read (e.g. CHECKPOINT_DIR holds
 * other files).
 */
public final class ResNetPtq {
    private static final long SEED = 2021;
    private static final int CALIBRATION_BATCHES = 10;
    private static final int CALIBRATION_BATCH = 16;
    private static final int EVALUATION_IMAGES = 256;
    private static final int EVALUATION_BATCH = 64;
    private static final int LATENCY_BATCH = 16;
    private static final int WARM_UP = 5;
    private static final int TIMED_RUNS = 30;
    private static final int CLASSES = 10;
    private static final String USAGE = "usage: ResNetPtq [CHECKPOINT_DIR [RELATIVE_LOSS]] [--no-progress]";
    /** The ten classes of synthetic images, fixed by the seed. */
    private static final ImageClass[] IMAGE_CLASSES = imageClasses(new Random(SEED + 4));

    private ResNetPtq() {
    }

    /**
     * The residual block of ResNet-18/34, as torchvision's quantizable {@code QuantizableBasicBlock}:
     * conv-bn-relu, conv-bn, then the shortcut added and rectified through a {@link FloatFunctional}
     * (so that quantization can observe the sum and swap in an int8 add-relu), with a 1x1 conv + bn
     * downsample on the shortcut when the block changes the stride or the channels.
     */
    public static final class BasicBlock extends Module {
        /**
         * Creates the block.
         *
         * @param in the input channels
         * @param out the output channels
         * @param stride the stride of the first conv (and of the downsample)
         */
        public BasicBlock(int in, int out, int stride) {
            // bias-free convolutions, as in ResNet: the batch norm that follows supplies the shift
            ConvOptions conv3x3 = ConvOptions.defaults().withPadding(1).withBias(false);
            register("conv1", new Conv2d(in, out, 3, conv3x3.withStride(stride)));
            register("bn1", new BatchNorm2d(out));
            register("relu1", new ReLU());
            register("conv2", new Conv2d(out, out, 3, conv3x3));
            register("bn2", new BatchNorm2d(out));
            if (stride != 1 || in != out) {
                register("downsample", new Sequential(
                        new Conv2d(in, out, 1, ConvOptions.defaults().withStride(stride).withBias(false)), new BatchNorm2d(out)));
            }
            register("skip", new FloatFunctional());
        }

        /**
         * Runs the block.
         *
         * @param x the input, float or (after quantization) int8
         * @return {@code relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))}
         */
        @Override
        public NDArray forward(NDArray x) {
            NDArray out = call("relu1", call("bn1", call("conv1", x)));
            out = call("bn2", call("conv2", out));
            // looked up in the tree, not kept in a field: fusion and quantization replace the modules
            NDArray shortcut = namedChildren().containsKey("downsample") ? call("downsample", x) : x;
            return functional("skip").addRelu(out, shortcut);
        }

        /**
         * Returns the fusion groups of the block at {@code path}, as torchvision's
         * {@code QuantizableBasicBlock.fuse_model}: conv-bn-relu, conv-bn, and the downsample's conv-bn.
         *
         * @param path the block's dotted path in the model, e.g. {@code "layer2.0"}
         * @return the groups, as dotted paths
         */
        public List<List<String>> fuseGroups(String path) {
            String p = path + ".";
            List<List<String>> groups = new ArrayList<>();
            groups.add(List.of(p + "conv1", p + "bn1", p + "relu1"));
            groups.add(List.of(p + "conv2", p + "bn2"));
            if (namedChildren().containsKey("downsample")) {
                groups.add(List.of(p + "downsample.0", p + "downsample.1"));
            }
            return groups;
        }
    }

    /**
     * A ResNet for (N, 3, 32, 32) images and 10 classes, small enough to tune in seconds: a 3x3 stem,
     * {@code layer1} (two 16-channel blocks), {@code layer2} (two 32-channel blocks, the first with
     * stride 2), global average pooling and a linear classifier, between a {@link QuantStub} and a
     * {@link DeQuantStub}, where int8 starts and ends.
     */
    public static final class ResNetMini extends Module {
        /** Creates the model with the layers' default random weights; load real ones with {@link #loadStateDict}. */
        public ResNetMini() {
            register("quant", new QuantStub());
            register("conv1", new Conv2d(3, 16, 3, ConvOptions.defaults().withPadding(1).withBias(false)));
            register("bn1", new BatchNorm2d(16));
            register("relu1", new ReLU());
            register("layer1", new Sequential(new BasicBlock(16, 16, 1), new BasicBlock(16, 16, 1)));
            register("layer2", new Sequential(new BasicBlock(16, 32, 2), new BasicBlock(32, 32, 1)));
            register("avgpool", new AdaptiveAvgPool2d(1));
            register("flatten", new Flatten());
            register("fc", new Linear(32, CLASSES));
            register("dequant", new DeQuantStub());
        }

        /**
         * Runs the model.
         *
         * @param input float32 images, (N, 3, 32, 32)
         * @return the logits, (N, 10), owned by the input's manager
         */
        @Override
        public NDArray forward(NDArray input) {
            NDArray x = call("relu1", call("bn1", call("conv1", call("quant", input))));
            x = call("layer2", call("layer1", x));
            x = call("flatten", call("avgpool", x));
            return call("dequant", call("fc", x));
        }

        /**
         * Returns the groups to fuse before post-training quantization, as torchvision's
         * {@code QuantizableResNet.fuse_model}: the stem's conv-bn-relu, then every block's groups.
         *
         * @return the groups, as dotted paths, in model order
         */
        public List<List<String>> fuseGroups() {
            List<List<String>> groups = new ArrayList<>();
            groups.add(List.of("conv1", "bn1", "relu1"));
            namedModules().forEach((path, m) -> {
                if (m instanceof BasicBlock block) {
                    groups.addAll(block.fuseGroups(path));
                }
            });
            return groups;
        }
    }

    /**
     * Tunes the model, saves and reloads the checkpoint, and prints the comparison; exits 1 if the
     * reloaded model's outputs differ from the tuned model's, 2 on bad arguments or checkpoint I/O.
     *
     * @param args {@code [CHECKPOINT_DIR [RELATIVE_LOSS]] [--no-progress]}
     * @throws Exception if tuning fails (a {@link io.qcheckpoint.tuning.TuningException})
     */
    public static void main(String[] args) throws Exception {
        boolean bars = true;
        List<String> positional = new ArrayList<>();
        for (String arg : args) {
            if (arg.equals("--no-progress")) {
                bars = false;
            } else if (arg.equals("-h") || arg.equals("--help")) {
                System.out.println(USAGE);
                return;
            } else if (arg.startsWith("-")) {
                usage("unknown option " + arg);
            } else {
                positional.add(arg);
            }
        }
        if (positional.size() > 2) {
            usage("too many arguments");
        }
        double relativeLoss = 0.01;
        if (positional.size() == 2) {
            try {
                relativeLoss = Double.parseDouble(positional.get(1));
            } catch (NumberFormatException e) {
                relativeLoss = Double.NaN;
            }
            if (!(relativeLoss >= 0 && relativeLoss < 1)) {
                usage("RELATIVE_LOSS must be a number in [0, 1), got " + positional.get(1));
            }
        }
        Path dir = positional.isEmpty() ? Files.createTempDirectory("resnet-ptq-") : Path.of(positional.get(0));
        int status;
        try {
            status = run(dir, relativeLoss, bars);
        } catch (IOException e) {
            // e.g. CHECKPOINT_DIR holds other files: the library refuses to replace them
            System.err.println("ResNetPtq: " + e);
            status = 2;
        }
        // exit only after every resource of run() is closed, and only to report a failure
        if (status != 0) {
            System.exit(status);
        }
    }

    private static void usage(String problem) {
        System.err.println("ResNetPtq: " + problem);
        System.err.println(USAGE);
        System.exit(2);
    }

    private static int run(Path dir, double relativeLoss, boolean bars) throws Exception {
        // fail now, not after tuning, if the checkpoint could not be saved there
        QuantizedModel.checkSavable(dir);
        try (Module fp32 = fusedModel(); NDManager manager = NDManager.newBaseManager();
             TuningProgress progress = new TuningProgress(bars)) {
            // each set from its own seed: the calibration images are not the evaluation images
            List<NDArray> calibration = new ArrayList<>();
            Random calibrationRandom = new Random(SEED + 1);
            for (int b = 0; b < CALIBRATION_BATCHES; b++) {
                calibration.add(images(manager, calibrationRandom, CALIBRATION_BATCH).pixels());
            }
            Images evaluation = images(manager, new Random(SEED + 2), EVALUATION_IMAGES);
            // the reference the candidates are scored against: the fp32 model's own predictions
            int[] reference = predictions(logits(fp32, evaluation.pixels()));
            System.out.printf(Locale.ROOT, "model: fused ResNet, %d ops to quantize; on the %d evaluation images fp32"
                    + " predicts %d of the %d classes, and for %s of them the class the image was drawn from%n",
                    LpotOps.quantizableOps(fp32, Approach.POST_TRAINING_STATIC_QUANT).size(), EVALUATION_IMAGES,
                    Arrays.stream(reference).distinct().count(), CLASSES,
                    percent(agreement(reference, evaluation.classes())));

            Evaluation topOneAgreement = model -> agreement(predictions(logits(model, evaluation.pixels())), reference);
            Tuner tuner = Tuner.defaults()
                    .withCalibration(calibration)
                    .withEvaluation(topOneAgreement)
                    .withCriterion(AccuracyCriterion.relative(relativeLoss))
                    .withListener(progress);
            try (TuningResult result = tuner.tune(fp32)) {
                System.out.println();
                printTrials(result);
                result.model().save(dir); // creates the folder and any missing parents
                System.out.println();
                return compare(result, fp32, evaluation.pixels(), reference, dir);
            }
        }
    }

    /**
     * The float model as training would leave it (see the class comment), in eval mode, fused as
     * it is quantized. Deterministic: each call builds the same model, so the checkpoint can be
     * loaded onto a fresh one.
     */
    private static Module fusedModel() throws StateDictMismatchException {
        try (ResNetMini model = new ResNetMini()) {
            model.loadStateDict(randomWeights(model, new Random(SEED)), true);
            Random training = new Random(SEED + 3);
            measureBatchNormStatistics(model, training);
            model.eval(); // from here on the model only reads its weights; folding batch norms needs eval mode
            fitClassifier(model, training);
            return FuseModules.fuseModules(model, model.fuseGroups());
        }
    }

    /**
     * A state dict with the model's own keys and shapes, filled from {@code random}: He-normal conv
     * and linear weights, batch norms near the identity (scale about 1, variance about 1, small means
     * and shifts).
     */
    private static StateDict randomWeights(Module model, Random random) {
        StateDict weights = new StateDict();
        for (Map.Entry<String, Object> e : model.stateDict().entries().entrySet()) {
            Tensor like = (Tensor) e.getValue();
            String key = e.getKey();
            if (like.dtype() == DType.INT64) {
                weights.put(key, Tensor.fromLongs(new long[(int) like.numel()], like.shape())); // num_batches_tracked
                continue;
            }
            String name = key.substring(key.lastIndexOf('.') + 1);
            Module owner = model.module(key.substring(0, key.lastIndexOf('.')));
            float[] v = new float[(int) like.numel()];
            for (int i = 0; i < v.length; i++) {
                double g = random.nextGaussian();
                v[i] = (float) switch (name) {
                    // He: variance 2 / fan-in, the fan-in being every dimension but the output one
                    case "weight" -> owner instanceof BatchNorm2d ? 1 + 0.1 * g : g * Math.sqrt(2.0 * like.shape()[0] / v.length);
                    case "bias", "running_mean" -> 0.1 * g;
                    case "running_var" -> Math.exp(0.2 * g);
                    default -> throw new IllegalStateException("unexpected state dict key " + key);
                };
            }
            weights.put(key, Tensor.fromFloats(v, like.shape()));
        }
        return weights;
    }

    /**
     * Replaces the made-up running statistics with the images' own, as training does: forward passes
     * in training mode update them (momentum 0.1, so 30 batches leave 4% of the made-up ones).
     * Without this, the activations keep offsets common to every image, the classes' logits end up
     * nearly tied, and quantization noise flips many predictions.
     */
    private static void measureBatchNormStatistics(Module model, Random random) {
        model.train(true);
        for (int b = 0; b < 30; b++) {
            try (NDManager batch = NDManager.newBaseManager()) {
                model.forward(images(batch, random, 32).pixels());
            }
        }
    }

    /**
     * Fits {@code fc} in closed form as a nearest-class-mean classifier on the pooled features of
     * 500 images: for class means {@code c_k} centred on the mean of all features {@code m}, logit
     * {@code k} is {@code c_k . (f - m) - |c_k|^2 / 2}, largest for the nearest class mean. A random
     * classifier would cut through the classes and predict one or two of them for almost every image.
     */
    private static void fitClassifier(ResNetMini model, Random random) throws StateDictMismatchException {
        try (NDManager manager = NDManager.newBaseManager(); Module features = model.copy()) {
            // the same network, less the classifier: its output is what fc sees
            features.replace("fc", new Identity()).close();
            Images train = images(manager, random, 500);
            float[] f = features.forward(train.pixels()).toFloatArray();
            int d = f.length / 500;
            double[][] mean = new double[CLASSES + 1][d]; // the class means, then the mean of all
            int[] count = new int[CLASSES];
            for (int i = 0; i < 500; i++) {
                count[train.classes()[i]]++;
                for (int j = 0; j < d; j++) {
                    mean[train.classes()[i]][j] += f[i * d + j];
                    mean[CLASSES][j] += f[i * d + j] / 500;
                }
            }
            float[] weight = new float[CLASSES * d];
            float[] bias = new float[CLASSES];
            for (int k = 0; k < CLASSES; k++) {
                double dot = 0;
                double norm = 0;
                for (int j = 0; j < d; j++) {
                    double c = mean[k][j] / count[k] - mean[CLASSES][j];
                    weight[k * d + j] = (float) c;
                    dot += c * mean[CLASSES][j];
                    norm += c * c;
                }
                bias[k] = (float) (-dot - norm / 2);
            }
            StateDict head = new StateDict().put("fc.weight", Tensor.fromFloats(weight, CLASSES, d))
                    .put("fc.bias", Tensor.fromFloats(bias, CLASSES));
            model.loadStateDict(head, false); // only fc's entries: not strict
        }
    }

    /** Images with the class each was drawn from. */
    private record Images(NDArray pixels, int[] classes) {
    }

    /** One synthetic class: a colour, and two stripe patterns (per channel phase). */
    private record ImageClass(double[] colour, double[] phase, double[] frequency) {
    }

    private static ImageClass[] imageClasses(Random random) {
        ImageClass[] classes = new ImageClass[CLASSES];
        for (int k = 0; k < CLASSES; k++) {
            double[] colour = new double[3];
            double[] phase = new double[3];
            double[] frequency = new double[4];
            for (int c = 0; c < 3; c++) {
                colour[c] = 0.5 * random.nextGaussian();
                phase[c] = 2 * Math.PI * random.nextDouble();
            }
            for (int j = 0; j < 4; j++) {
                frequency[j] = 0.8 * random.nextDouble();
            }
            classes[k] = new ImageClass(colour, phase, frequency);
        }
        return classes;
    }

    /**
     * {@code n} random 32x32 RGB images of random classes: the class's colour and stripes, with a
     * random contrast and brightness (10%) and pixel noise (standard deviation 0.2).
     */
    private static Images images(NDManager manager, Random random, int n) {
        int size = 32;
        float[] x = new float[n * 3 * size * size];
        int[] classes = new int[n];
        int i = 0;
        for (int image = 0; image < n; image++) {
            classes[image] = random.nextInt(CLASSES);
            ImageClass k = IMAGE_CLASSES[classes[image]];
            double[] f = k.frequency();
            double contrast = 1 + 0.1 * random.nextGaussian();
            double brightness = 0.1 * random.nextGaussian();
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < size; h++) {
                    for (int w = 0; w < size; w++) {
                        double stripes = Math.sin(f[0] * h + f[1] * w + k.phase()[c]) + 0.5 * Math.cos(f[2] * h - f[3] * w);
                        x[i++] = (float) (k.colour()[c] + brightness + contrast * stripes + 0.2 * random.nextGaussian());
                    }
                }
            }
        }
        return new Images(manager.create(x, new Shape(n, 3, size, size)), classes);
    }

    /** The model's logits for every image, row after row, computed in batches. */
    private static float[] logits(Module model, NDArray images) {
        long n = images.getShape().get(0);
        float[] out = new float[Math.toIntExact(n * CLASSES)];
        for (long start = 0; start < n; start += EVALUATION_BATCH) {
            // a sub-manager per batch: forward's intermediates belong to the input's manager, freed here
            try (NDManager scratch = images.getManager().newSubManager()) {
                NDArray batch = images.get(start + ":" + Math.min(n, start + EVALUATION_BATCH));
                batch.attach(scratch);
                float[] y = model.forward(batch).toFloatArray();
                System.arraycopy(y, 0, out, Math.toIntExact(start * CLASSES), y.length);
            }
        }
        return out;
    }

    private static int[] predictions(float[] logits) {
        int[] p = new int[logits.length / CLASSES];
        for (int i = 0; i < p.length; i++) {
            for (int c = 1; c < CLASSES; c++) {
                if (logits[i * CLASSES + c] > logits[i * CLASSES + p[i]]) {
                    p[i] = c;
                }
            }
        }
        return p;
    }

    private static double agreement(int[] predicted, int[] reference) {
        int same = 0;
        for (int i = 0; i < predicted.length; i++) {
            same += predicted[i] == reference[i] ? 1 : 0;
        }
        return (double) same / predicted.length;
    }

    private static void printTrials(TuningResult r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"trial", "change", "accuracy", "loss vs fp32", "weights", "eval time"});
        rows.add(new String[] {"fp32", "-", percent(r.baseline()), "-", kib(r.baselineWeightBytes()), "-"});
        for (Trial t : r.trials()) {
            rows.add(new String[] {String.valueOf(t.number()), t.change(), percent(t.score()),
                String.format(Locale.ROOT, "%+.2f%%", t.loss() * 100), kib(t.weightBytes()),
                t.evaluationTime().toMillis() + " ms"});
        }
        printTable(rows);
        System.out.printf(Locale.ROOT, "%nstopped: %s; the result is trial %d (%s)%s%n", words(r.stopReason()),
                r.best().number(), r.best().change(),
                r.criterionMet() ? "" : ", the best scoring one: no trial met the criterion");
    }

    /** Loads the checkpoint back onto a fresh fused model, checks it, and prints fp32 against int8. */
    private static int compare(TuningResult r, Module fp32, NDArray evaluationImages, int[] reference, Path dir)
            throws IOException {
        // a fresh model, as a server would build it: the checkpoint must not depend on the tuner's objects
        try (Module fresh = fusedModel(); QuantizedModel<?> reloaded = Checkpoints.load(dir, fresh);
             NDManager scratch = evaluationImages.getManager().newSubManager()) {
            float[] tuned = logits(r.model().module(), evaluationImages);
            float[] loaded = logits(reloaded.module(), evaluationImages);
            NDArray latencyInput = evaluationImages.get("0:" + LATENCY_BATCH);
            latencyInput.attach(scratch);
            double fp32Ms = medianMillis(fp32, latencyInput);
            double int8Ms = medianMillis(reloaded.module(), latencyInput);
            long fp32Bytes = fp32FileBytes(fp32);
            long int8Bytes = Files.size(dir.resolve(EagerQuantizedModel.WEIGHTS_FILE))
                    + Files.size(dir.resolve(EagerQuantizedModel.CONFIG_FILE));

            List<String[]> rows = new ArrayList<>();
            double agreement = agreement(predictions(loaded), reference);
            rows.add(new String[] {"", "fp32", "int8 (reloaded)", "int8 vs fp32"});
            rows.add(new String[] {"top-1 agreement with fp32", percent(1), percent(agreement),
                String.format(Locale.ROOT, "loss %+.2f%%", (1 - agreement) * 100)});
            rows.add(new String[] {"size on disk", kib(fp32Bytes), kib(int8Bytes), times(fp32Bytes, int8Bytes, "smaller", "larger")});
            rows.add(new String[] {"latency, batch of " + LATENCY_BATCH + " (median of " + TIMED_RUNS + ")",
                String.format(Locale.ROOT, "%.2f ms", fp32Ms), String.format(Locale.ROOT, "%.2f ms", int8Ms),
                times(fp32Ms, int8Ms, "faster", "slower")});
            printTable(rows);
            System.out.println();
            System.out.println("checkpoint: " + dir);

            int differing = 0;
            for (int i = 0; i < tuned.length; i++) {
                differing += Float.floatToIntBits(tuned[i]) != Float.floatToIntBits(loaded[i]) ? 1 : 0;
            }
            if (differing > 0) {
                System.out.println("FAILED: the reloaded model's outputs differ from the tuned model's in " + differing
                        + " of " + tuned.length + " logits");
                return 1;
            }
            System.out.println("the reloaded model's " + tuned.length + " logits on the evaluation set are identical"
                    + " to the tuned model's");
            return 0;
        }
    }

    /**
     * fp32 against int8 as the library's demo and benchmarks compare them: how many times smaller or
     * faster int8 is, e.g. {@code 2.38x smaller}, or larger / slower when it is not.
     */
    private static String times(double fp32, double int8, String better, String worse) {
        return fp32 >= int8 ? String.format(Locale.ROOT, "%.2fx %s", fp32 / int8, better)
                : String.format(Locale.ROOT, "%.2fx %s", int8 / fp32, worse);
    }

    /** The median wall time of {@code model.forward(input)} after a warm-up: for the ratio, not absolute claims. */
    private static double medianMillis(Module model, NDArray input) {
        double[] ms = new double[TIMED_RUNS];
        for (int i = 0; i < WARM_UP + TIMED_RUNS; i++) {
            try (NDManager scratch = input.getManager().newSubManager()) {
                NDArray x = input.duplicate();
                x.attach(scratch);
                long t0 = System.nanoTime();
                model.forward(x);
                long t1 = System.nanoTime();
                if (i >= WARM_UP) {
                    ms[i - WARM_UP] = (t1 - t0) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        return ms[TIMED_RUNS / 2];
    }

    /** The size of the fp32 model's state dict as torch.save writes it: what the int8 checkpoint replaces. */
    private static long fp32FileBytes(Module fp32) throws IOException {
        Path file = Files.createTempFile("resnet-ptq-fp32-", ".pt");
        try {
            TorchFiles.write(file, fp32.stateDict().toOrderedDict());
            return Files.size(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Prints rows in columns padded to their widest cell, two spaces apart; numbers on the right. */
    private static void printTable(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(width[c] - row[c].length());
                // the first two columns are words, the rest numbers
                line.append(c < 2 ? row[c] + pad : pad + row[c]).append("  ");
            }
            System.out.println(line.toString().stripTrailing());
        }
    }

    private static String percent(double v) {
        return String.format(Locale.ROOT, "%.2f%%", v * 100);
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }

    private static String words(StopReason reason) {
        return reason.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    /**
     * Follows the tuning run: one line per trial on stdout, and a progress bar over each trial's
     * calibration batches on stderr, so that stdout stays a clean record of the results.
     */
    private static final class TuningProgress implements TuningListener, AutoCloseable {
        private final boolean bars;
        private ProgressBar bar;

        TuningProgress(boolean bars) {
            this.bars = bars;
        }

        @Override
        public void baseline(double score, long weightBytes) {
            System.out.printf(Locale.ROOT, "fp32 baseline: %s top-1 agreement (by definition)%n", percent(score));
        }

        @Override
        public void trialStarted(int number, String change, long calibrationBatches) {
            if (bars && calibrationBatches > 0) {
                bar = new ProgressBarBuilder().setTaskName("trial " + number + " calibrating")
                        .setInitialMax(calibrationBatches).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).continuousUpdate()
                        .setUpdateIntervalMillis(100).build();
            }
        }

        @Override
        public void calibrationBatch(int batches) {
            if (bar != null) {
                bar.stepTo(batches);
            }
        }

        @Override
        public void trialFinished(Trial trial) {
            closeBar();
            System.out.printf(Locale.ROOT, "trial %d: %-40s accuracy %s  loss %+.2f%%  %s%n", trial.number(),
                    trial.change(), percent(trial.score()), trial.loss() * 100,
                    trial.criterionMet() ? "meets the criterion" : "does not meet the criterion");
        }

        private void closeBar() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }

        /** Removes a bar a failed trial left behind. */
        @Override
        public void close() {
            closeBar();
        }
    }
}
