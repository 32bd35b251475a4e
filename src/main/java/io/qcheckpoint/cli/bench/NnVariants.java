package io.qcheckpoint.cli.bench;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.kernels.TorchScriptModule;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.quantization.FuseModules;
import io.qcheckpoint.quantization.QuantizationMappings;
import io.qcheckpoint.quantization.Quantizer;
import java.io.IOException;
import java.util.List;

/**
 * The three ways {@code bench nn} runs one network, all on libtorch through DJL: the Java module
 * tree in float32, the same tree fused, converted and loaded with torch's int8 state dict, and
 * torch's own quantized model as a TorchScript archive (the same int8 kernels, called from one
 * TorchScript graph instead of one JNI call per op).
 */
public final class NnVariants implements AutoCloseable {
    /** The label of the float32 Java model. */
    public static final String JAVA_FP32 = "java fp32";
    /** The label of the int8 Java model. */
    public static final String JAVA_INT8 = "java int8";
    /** The label of torch's TorchScript int8 model. */
    public static final String TORCHSCRIPT = "torchscript int8";
    /** The labels, in the order of {@link #all()}. */
    public static final List<String> LABELS = List.of(JAVA_FP32, JAVA_INT8, TORCHSCRIPT);

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

    private record TorchScriptVariant(TorchScriptModule module) implements Variant {
        @Override
        public String label() {
            return TORCHSCRIPT;
        }

        @Override
        public NDArray forward(NDArray x) {
            return module.forward(x);
        }
    }

    private Module fp32;
    private Module int8;
    private TorchScriptModule script;

    private NnVariants() {
    }

    /**
     * Loads the three variants of a network from its files.
     *
     * @param files the generator's files
     * @return the variants; the caller closes them
     * @throws IOException if a file cannot be read
     * @throws io.qcheckpoint.nn.StateDictMismatchException if a state dict does not fit the Java tree
     * @throws ai.djl.engine.EngineException if libtorch cannot load the TorchScript archive
     */
    public static NnVariants load(BenchNetFiles files) throws IOException {
        NnVariants v = new NnVariants();
        try {
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

    /** Returns the three variants in the order of {@link #LABELS}. */
    public List<Variant> all() {
        return List.of(fp32(), int8(), torchScript());
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
