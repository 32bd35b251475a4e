package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.kernels.TorchScriptModule;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * The three ways {@code bench nn} runs one network, all on libtorch through DJL: the Java module
 * tree in float32, the same tree fused, converted and loaded with torch's int8 state dict, and
 * torch's own quantized model as a TorchScript archive (the same int8 kernels, called from one
 * TorchScript graph instead of one JNI call per op). Both int8 outputs are checked against torch's
 * ({@code q_output.pt}); the ratios judged are float32 over Java int8 and Java int8 over TorchScript.
 */
public final class NnVariants implements NnCase {
    /** The label of the float32 Java model. */
    public static final String JAVA_FP32 = "java fp32";
    /** The label of the int8 Java model. */
    public static final String JAVA_INT8 = "java int8";
    /** The label of torch's TorchScript int8 model. */
    public static final String TORCHSCRIPT = "torchscript int8";
    /** What the int8 outputs are checked against, as the checks' lines name it. */
    static final String TORCH_OUTPUT = "torch's int8 output";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One way to run the network. */
    public interface Variant {
        /** Returns the label printed in the tables. */
        String label();

        /**
         * Runs the network.
         *
         * @param x the float input
         * @return the float output, owned by the input's manager
         */
        NDArray forward(NDArray x);
    }

    private record ModuleVariant(String label, Module module) implements Variant {
        @Override
        public NDArray forward(NDArray x) {
            return module.forward(x);
        }
    }

    record TorchScriptVariant(TorchScriptModule module) implements Variant {
        @Override
        public String label() {
            return TORCHSCRIPT;
        }

        @Override
        public NDArray forward(NDArray x) {
            return module.forward(x);
        }
    }

    private final BenchNetFiles files;
    private Tensor input;
    private float[] expected;
    private JsonNode info;
    private Module fp32;
    private Module int8;
    private TorchScriptModule script;

    private NnVariants(BenchNetFiles files) {
        this.files = files;
    }

    /**
     * Loads the three variants of a network from its files, with its input and torch's output.
     *
     * @param files the generator's files
     * @return the variants; the caller closes them
     * @throws IOException if a file cannot be read
     * @throws io.qcheckpoint.nn.StateDictMismatchException if a state dict does not fit the Java tree
     * @throws ai.djl.engine.EngineException if libtorch cannot load the TorchScript archive
     */
    public static NnVariants load(BenchNetFiles files) throws IOException {
        NnVariants v = new NnVariants(files);
        try {
            v.info = JSON.readTree(files.description().toFile());
            v.input = (Tensor) TorchFiles.read(files.input()).root();
            v.expected = ((Tensor) TorchFiles.read(files.quantizedOutput()).root()).toFloatArray();
            v.fp32 = files.net().factory().get();
            v.fp32.loadStateDict(TorchFiles.readStateDict(files.floatStateDict()), true);
            v.fp32.eval();
            // as LPOT's load: the float model fused and converted, then torch's int8 state dict, strictly
            try (Module fused = FuseModules.fuseModules(v.fp32, files.net().fusion())) {
                v.int8 = Quantizer.everyModule(QuantizationMappings.staticMappings(), fused).convert(fused);
            }
            v.int8.loadStateDict(TorchFiles.readStateDict(files.quantizedStateDict()), true);
            v.script = TorchScriptModule.load(files.torchScript());
            return v;
        } catch (IOException | RuntimeException e) {
            v.close();
            throw e;
        }
    }

    /** Returns the float32 Java model. */
    public Variant fp32() {
        return new ModuleVariant(JAVA_FP32, fp32);
    }

    /** Returns the int8 Java model. */
    public Variant int8() {
        return new ModuleVariant(JAVA_INT8, int8);
    }

    /** Returns torch's TorchScript int8 model. */
    public Variant torchScript() {
        return new TorchScriptVariant(script);
    }

    @Override
    public Tensor input() {
        return input;
    }

    /** Returns the three variants: float32, Java int8, TorchScript int8. */
    @Override
    public List<Variant> variants() {
        return List.of(fp32(), int8(), torchScript());
    }

    /** Checks both int8 outputs against torch's; notes the float32 model's distance from it. */
    @Override
    public Correctness check(NDArray x, NDManager inputs) {
        double step = NnBenchmark.outputStep(info, expected);
        List<NnBenchmark.Check> checks = List.of(NnBenchmark.check(int8(), x, inputs, TORCH_OUTPUT, expected, step),
                NnBenchmark.check(torchScript(), x, inputs, TORCH_OUTPUT, expected, step));
        double fp32Diff = NnBenchmark.maxAbsDiff(expected, NnBenchmark.outputOf(fp32(), x, inputs));
        JsonNode torchDiff = info.get("q_vs_float_max_abs_diff");
        return new Correctness(checks, List.of(String.format(Locale.ROOT, "%s output vs %s: max abs diff %.4g (torch's"
                + " float model: %.4g)", JAVA_FP32, TORCH_OUTPUT, fp32Diff,
                torchDiff == null || !torchDiff.isNumber() ? Double.NaN : torchDiff.asDouble())));
    }

    /** Float32 over Java int8 against the network's speedup target; Java int8 over TorchScript. */
    @Override
    public List<Target> targets() {
        return List.of(new Target(0, 1, "fp32/int8", "int8 runs %.2fx faster than float32", files.net().speedupTarget(),
                        true),
                new Target(1, 2, "java/torchscript", "the Java int8 model takes %.2fx the TorchScript reference's time",
                        NnReport.JAVA_OVER_SCRIPT_TARGET, false));
    }

    /** Frees the models and the TorchScript module. */
    @Override
    public void close() {
        if (script != null) {
            script.close();
        }
        if (int8 != null) {
            int8.close();
        }
        if (fp32 != null) {
            fp32.close();
        }
    }
}
