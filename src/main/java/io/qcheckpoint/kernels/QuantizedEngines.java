package io.qcheckpoint.kernels;

import ai.djl.engine.Engine;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * libtorch's process-wide int8 engine: {@code torch.backends.quantized.engine} and
 * {@code torch.backends.quantized.supported_engines} for Java. DJL has no call for it, so this class
 * calls libtorch's {@code at::globalContext()}, {@code at::Context::qEngine()},
 * {@code setQEngine(c10::QEngine)} and {@code supportedQEngines()} through JNA, by their exported
 * (Itanium-mangled) names, checked when first used.
 *
 * <p>The engine is global, as in torch: it applies to every thread and every model. Load a model
 * under the engine it will run on: weights are prepacked for the engine current at load time.
 */
public final class QuantizedEngines {
    static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    static final String Q_ENGINE = "_ZNK2at7Context7qEngineEv";
    static final String SET_Q_ENGINE = "_ZN2at7Context10setQEngineEN3c107QEngineE";
    static final String SUPPORTED_Q_ENGINES = "_ZN2at7Context17supportedQEnginesEv";

    private QuantizedEngines() {
    }

    /**
     * Returns the current engine ({@code torch.backends.quantized.engine}).
     *
     * @throws IllegalStateException if libtorch lacks the exports this class calls
     */
    public static QuantizedEngine get() {
        Native n = Native.get();
        return QuantizedEngine.ofCode(n.qEngine.invokeInt(new Object[] {n.context}) & 0xff);
    }

    /**
     * Returns the engines this libtorch supports on this CPU, in libtorch's order, without
     * {@link QuantizedEngine#NONE} ({@code torch.backends.quantized.supported_engines} less {@code none}).
     *
     * @throws IllegalStateException if libtorch lacks the exports this class calls
     */
    public static List<QuantizedEngine> supported() {
        Native n = Native.get();
        Pointer vector = n.supported.invokePointer(new Object[] {n.context});
        Pointer begin = vector.getPointer(0);
        long size = Pointer.nativeValue(vector.getPointer(Long.BYTES)) - Pointer.nativeValue(begin);
        List<QuantizedEngine> engines = new ArrayList<>();
        for (byte code : begin.getByteArray(0, (int) size)) {
            QuantizedEngine e = QuantizedEngine.ofCode(code & 0xff);
            if (e != QuantizedEngine.NONE) {
                engines.add(e);
            }
        }
        return List.copyOf(engines);
    }

    /**
     * Makes {@code engine} the process's int8 engine ({@code torch.backends.quantized.engine = ...}).
     * Models loaded before keep weights packed for the engine they were loaded under.
     *
     * @throws IllegalArgumentException if this libtorch does not support {@code engine} on this CPU
     * @throws IllegalStateException if libtorch lacks the exports this class calls
     */
    public static void set(QuantizedEngine engine) {
        List<QuantizedEngine> supported = supported();
        if (!supported.contains(engine)) {
            throw new IllegalArgumentException("quantized engine " + engine + " is not supported by this libtorch on"
                    + " this CPU; supported: " + supported.stream().map(QuantizedEngine::torchName)
                    .collect(Collectors.joining(", ")));
        }
        Native n = Native.get();
        n.setQEngine.invokeVoid(new Object[] {n.context, engine.code()});
    }

    /** The libtorch functions, looked up once. */
    private record Native(Pointer context, Function qEngine, Function setQEngine, Function supported) {
        private static final class Holder {
            static final Native INSTANCE = load();
        }

        static Native get() {
            return Holder.INSTANCE;
        }

        private static Native load() {
            Engine.getEngine("PyTorch"); // loads libtorch
            Path path = libtorchCpu();
            NativeLibrary lib = NativeLibrary.getInstance(path.toString());
            Pointer context = function(lib, path, GLOBAL_CONTEXT).invokePointer(new Object[0]);
            return new Native(context, function(lib, path, Q_ENGINE), function(lib, path, SET_Q_ENGINE),
                    function(lib, path, SUPPORTED_Q_ENGINES));
        }

        private static Function function(NativeLibrary lib, Path path, String symbol) {
            try {
                return lib.getFunction(symbol);
            } catch (UnsatisfiedLinkError e) {
                throw new IllegalStateException("libtorch " + path + " does not export " + symbol + ", which selecting"
                        + " the quantized engine needs; this libtorch is not the version QCheckpoint was built for", e);
            }
        }

        /** The libtorch_cpu the process has loaded, from /proc/self/maps. */
        private static Path libtorchCpu() {
            String name = System.mapLibraryName("torch_cpu");
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                    int slash = line.indexOf('/');
                    if (slash >= 0 && line.endsWith("/" + name)) {
                        return Path.of(line.substring(slash));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot find the loaded " + name, e);
            }
            throw new IllegalStateException("the process has not loaded " + name + "; selecting the quantized engine"
                    + " needs libtorch on Linux");
        }
    }
}
