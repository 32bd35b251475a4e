package io.qcheckpoint.djl;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Loads a checkpoint onto the float model that DJL criteria arguments name, for
 * {@link LpotBlockFactory} and {@link LpotModelLoader}. The argument names are this class's constants.
 */
public final class CheckpointBlocks {
    /**
     * The float model: a {@link Module} class's name (found through the thread's context class
     * loader) or an {@link Fp32ModelSource}.
     */
    public static final String FP32_MODEL = "fp32Model";
    /**
     * The input an IPEX checkpoint ({@code best_configure.json}) runs once to order its ops: an
     * {@link NDArray} (still the caller's) or the path of a torch file that holds one tensor.
     */
    public static final String EXAMPLE_INPUT = "exampleInput";
    /** The float model's TorchScript file, instead of {@link #FP32_MODEL}: no model code ({@link TorchScriptSource}). */
    public static final String FP32_TORCHSCRIPT = "fp32TorchScript";
    /** The float state dict file for a {@link #FP32_MODEL} class (default: {@value ModuleClassSource#WEIGHTS_FILE} in or beside the checkpoint). */
    public static final String FP32_WEIGHTS = "fp32Weights";

    private CheckpointBlocks() {
    }

    /**
     * Loads the checkpoint in {@code dir} onto the float model the arguments name, and makes it the
     * block of {@code model}, which then owns it (closing {@code model} closes the int8 model).
     *
     * @param model the DJL model
     * @param dir the checkpoint directory
     * @param arguments the criteria's arguments
     * @return the block, already set on {@code model}
     * @throws IllegalArgumentException if {@code model} is not on the CPU (libtorch's int8 kernels
     *     are CPU kernels), or the arguments name no float model, or a class that cannot be made
     * @throws io.qcheckpoint.CheckpointNotFoundException if {@code dir} holds no checkpoint
     * @throws IOException if the checkpoint or the float weights cannot be read, or do not fit the model
     *     (the project's {@link io.qcheckpoint.pt.CheckpointException} family)
     */
    static QuantizedBlock load(Model model, Path dir, Map<String, ?> arguments) throws IOException {
        Device device = model.getNDManager().getDevice();
        if (!Device.cpu().equals(device)) {
            throw new IllegalArgumentException("an LPOT int8 model runs on the CPU, not " + device
                    + ": give the criteria optDevice(Device.cpu())");
        }
        Fp32ModelSource source = fp32Source(arguments);
        QuantizedModel<?> int8;
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            int8 = load(dir, source, options(arguments, scratch));
        }
        try {
            QuantizedBlock.adopt(model, int8);
        } catch (RuntimeException e) {
            int8.close();
            throw e;
        }
        return (QuantizedBlock) model.getBlock();
    }

    /**
     * Loads the checkpoint in {@code dir} onto a float model from {@code source}; the float model is
     * closed once the int8 one is built (which shares nothing with it).
     *
     * @param dir the checkpoint directory
     * @param source where the float model comes from
     * @param options as for {@link Checkpoints#load(Path, Module, LoadOptions)}
     * @return the int8 model, owned by the caller
     * @throws IllegalArgumentException if the checkpoint is IPEX's and the options give no example
     *     input (the message names the criteria argument {@value #EXAMPLE_INPUT})
     * @throws IOException as {@link Checkpoints#load(Path, Module, LoadOptions)} and
     *     {@link Fp32ModelSource#create} do
     */
    public static QuantizedModel<?> load(Path dir, Fp32ModelSource source, LoadOptions options) throws IOException {
        try (Module fp32 = source.create(dir)) {
            try {
                return Checkpoints.load(dir, fp32, options);
            } catch (IllegalArgumentException e) {
                if (options.exampleInput() != null) {
                    throw e;    // e.g. the example input does not fit the model (ForwardException)
                }
                // load's refusal of an IPEX checkpoint without an example input
                throw new IllegalArgumentException(e.getMessage() + "; through DJL's criteria: the argument '" + EXAMPLE_INPUT + "'", e);
            }
        }
    }

    /** Load options with the example input the arguments give, read into {@code scratch} from a file. */
    private static LoadOptions options(Map<String, ?> arguments, NDManager scratch) throws IOException {
        Object example = arguments == null ? null : arguments.get(EXAMPLE_INPUT);
        if (example == null) {
            return LoadOptions.defaults();
        }
        NDArray x = example instanceof NDArray a ? a : TensorArrays.toNDArray(scratch, tensor(Path.of(example.toString())));
        return LoadOptions.defaults().withExampleInput(x);
    }

    /** Reads a torch file whose root is one tensor. */
    private static Tensor tensor(Path file) throws IOException {
        if (TorchFiles.read(file).root() instanceof Tensor t) {
            return t;
        }
        throw new CheckpointFormatException(file.toString(), "holds no tensor at its root: the argument '" + EXAMPLE_INPUT
                + "' names a file that torch.save(tensor, f) wrote");
    }

    /**
     * Returns the float model source the arguments name.
     *
     * @param arguments the criteria's arguments (may be null)
     * @return the source
     * @throws IllegalArgumentException if neither {@link #FP32_TORCHSCRIPT} nor {@link #FP32_MODEL} is
     *     given, both are, or {@link #FP32_MODEL} is of another type
     */
    static Fp32ModelSource fp32Source(Map<String, ?> arguments) {
        Object value = arguments == null ? null : arguments.get(FP32_MODEL);
        Object torchScript = arguments == null ? null : arguments.get(FP32_TORCHSCRIPT);
        if (torchScript != null) {
            if (value != null) {
                throw new IllegalArgumentException("give the float model once: the criteria arguments '" + FP32_MODEL
                        + "' and '" + FP32_TORCHSCRIPT + "' are both set");
            }
            return new TorchScriptSource(Path.of(torchScript.toString()));
        }
        if (value instanceof Fp32ModelSource source) {
            return source;
        }
        if (value instanceof String name && !name.isBlank()) {
            Optional<Path> weights = Optional.ofNullable(arguments.get(FP32_WEIGHTS)).map(w -> Path.of(w.toString()));
            return new ModuleClassSource(name.trim(), classLoader(), weights);
        }
        throw new IllegalArgumentException("loading an LPOT checkpoint needs the float model it was tuned from: give the criteria"
                + " argument '" + FP32_TORCHSCRIPT + "' (its TorchScript file) or '" + FP32_MODEL
                + "' (a Module class name or an Fp32ModelSource), got "
                + (value == null ? "none" : value.getClass().getName()));
    }

    private static ClassLoader classLoader() {
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        return context != null ? context : CheckpointBlocks.class.getClassLoader();
    }
}
