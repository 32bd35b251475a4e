package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.cli.bench.NnBenchmark.Check;
import io.qcheckpoint.cli.bench.NnVariants.TorchScriptVariant;
import io.qcheckpoint.cli.bench.NnVariants.Variant;
import io.qcheckpoint.kernels.TorchScriptModule;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The three ways {@code bench nn} runs torchvision's ResNet-18 (issue 13): one LPOT checkpoint on two
 * float models, the hand-written {@link ResNets} tree and the same network imported from its
 * TorchScript file ({@code fp32_traced.pt}, {@link TorchScriptModels#load}), both through
 * {@link Checkpoints#load}; and torch's own int8 model as a TorchScript archive ({@code int8_ts.pt}).
 * The imported model runs its compiled forward statement by statement between the same quantized
 * modules, so the question is what that interpretation costs: the target is at most {@link #TARGET}
 * times the hand-written tree's time. The hand-written output is checked against the TorchScript
 * reference's (torch's model on the same libtorch and engine), the imported one against the
 * hand-written one, each within one output step.
 */
public final class ImportedVariants implements NnCase {
    /** The fused fp32 model traced, which {@code resnet_bench.py models} writes beside the checkpoint. */
    public static final String TRACED = "fp32_traced.pt";
    /** torch's int8 model (the one LPOT's load rebuilds) as TorchScript, written beside it too. */
    public static final String TORCHSCRIPT_INT8 = "int8_ts.pt";
    /** The imported model's forward may take at most this multiple of the hand-written tree's. */
    public static final double TARGET = 1.10;
    /** The label of the hand-written tree with the checkpoint. */
    public static final String HAND_WRITTEN = "hand-written int8";
    /** The label of the imported model with the checkpoint. */
    public static final String IMPORTED = "imported int8";
    /** torchvision's ResNet-18. */
    public static final Network RESNET18 = new Network(ResNets.RESNET18);

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One architecture of {@code resnet_bench.py}, as a {@code bench nn} network.
     *
     * @param arch the architecture
     */
    public record Network(ResNets.Arch arch) implements NnNetwork {
        @Override
        public String name() {
            return arch.name();
        }

        /** Returns {@code resnet_bench.py models DIR ARCH}, which writes the folder {@code DIR/ARCH}. */
        @Override
        public List<String> generator(String dir) {
            return List.of(LoadBenchmark.SCRIPT.toString(), "models", dir, arch.name());
        }

        @Override
        public List<Path> missing(Path dir) {
            Path folder = dir.resolve(arch.name());
            return Stream.concat(LoadBenchmark.FILES.stream(), Stream.of(TRACED, TORCHSCRIPT_INT8)).map(folder::resolve)
                    .filter(p -> !Files.isRegularFile(p)).toList();
        }

        @Override
        public NnCase load(Path dir) throws IOException {
            return ImportedVariants.load(arch, dir.resolve(arch.name()));
        }
    }

    private record ModelVariant(String label, QuantizedModel<?> model) implements Variant {
        @Override
        public NDArray forward(NDArray x) {
            return model.forward(x);
        }
    }

    private JsonNode info;
    private Tensor input;
    private float[] torchOutput;
    private Module handWrittenFp32;
    private Module importedFp32;
    private QuantizedModel<?> handWritten;
    private QuantizedModel<?> imported;
    private TorchScriptModule script;

    private ImportedVariants() {
    }

    /**
     * Loads the checkpoint in {@code dir} onto both float models, and torch's TorchScript int8 model.
     *
     * @param arch the architecture
     * @param dir the architecture's folder
     * @return the variants; the caller closes them
     * @throws IOException if a file cannot be read or the checkpoint does not fit a model
     */
    static ImportedVariants load(ResNets.Arch arch, Path dir) throws IOException {
        ImportedVariants v = new ImportedVariants();
        try {
            v.info = JSON.readTree(dir.resolve("case.json").toFile());
            v.input = (Tensor) TorchFiles.read(dir.resolve(LoadBenchmark.INPUT)).root();
            v.torchOutput = ((Tensor) TorchFiles.read(dir.resolve("output.pt")).root()).toFloatArray();
            v.handWrittenFp32 = LoadBenchmark.fp32Model(arch, dir);
            v.handWritten = Checkpoints.load(dir, v.handWrittenFp32);
            v.importedFp32 = TorchScriptModels.load(dir.resolve(TRACED));
            v.imported = Checkpoints.load(dir, v.importedFp32);
            v.script = TorchScriptModule.load(dir.resolve(TORCHSCRIPT_INT8));
            return v;
        } catch (IOException | RuntimeException e) {
            v.close();
            throw e;
        }
    }

    @Override
    public Tensor input() {
        return input;
    }

    /** Returns the hand-written tree, the imported model and torch's TorchScript model, in that order. */
    @Override
    public List<Variant> variants() {
        return List.of(new ModelVariant(HAND_WRITTEN, handWritten), new ModelVariant(IMPORTED, imported),
                new TorchScriptVariant(script));
    }

    /**
     * Checks the hand-written output against the TorchScript reference's and the imported output
     * against the hand-written one; notes how far both are from torch 1.13's output
     * ({@code output.pt}), whose oneDNN rounds some requantizations differently from libtorch 2.7's.
     */
    @Override
    public Correctness check(NDArray x, NDManager inputs) {
        double step = NnBenchmark.outputStep(info, torchOutput);
        List<Variant> v = variants();
        float[] hand = NnBenchmark.outputOf(v.get(0), x, inputs);
        float[] reference = NnBenchmark.outputOf(v.get(2), x, inputs);
        List<Check> checks = List.of(NnBenchmark.check(v.get(0), x, inputs, "the " + NnVariants.TORCHSCRIPT
                        + " output", reference, step),
                NnBenchmark.check(v.get(1), x, inputs, "the " + HAND_WRITTEN + " output", hand, step));
        return new Correctness(checks, List.of(String.format(Locale.ROOT, "%s output vs torch 1.13's int8 output"
                        + " (output.pt, onednn): max %.2f steps; %s output: max %.2f steps; torch 1.13's qnnpack"
                        + " output: max %.2f steps", HAND_WRITTEN, NnBenchmark.maxAbsDiff(torchOutput, hand) / step,
                NnVariants.TORCHSCRIPT, NnBenchmark.maxAbsDiff(torchOutput, reference) / step,
                info.path("qnnpack_max_abs_diff").asDouble(Double.NaN) / step)));
    }

    /** Imported over hand-written against {@link #TARGET}; hand-written over TorchScript. */
    @Override
    public List<Target> targets() {
        return List.of(new Target(1, 0, "imported/hand", "int8 forward on the model imported from its TorchScript file"
                        + " takes %.2fx the hand-written Module tree's time", TARGET, false),
                new Target(0, 2, "hand/torchscript", "the hand-written Java int8 model takes %.2fx the TorchScript"
                        + " reference's time", NnReport.JAVA_OVER_SCRIPT_TARGET, false));
    }

    /** Frees the models, the float models they were loaded onto, and the TorchScript module. */
    @Override
    public void close() {
        if (script != null) {
            script.close();
        }
        if (imported != null) {
            imported.close();
        }
        if (importedFp32 != null) {
            importedFp32.close();
        }
        if (handWritten != null) {
            handWritten.close();
        }
        if (handWrittenFp32 != null) {
            handWrittenFp32.close();
        }
    }
}
