package io.qcheckpoint.cli;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.OutputPaths;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qcheckpoint run CHECKPOINT_DIR --model CLASS ... --input FILE.pt --output FILE.pt} (or
 * {@code --torchscript FP32.pt} instead of {@code --model}): loads a checkpoint onto the user's model and runs it on one tensor, so that one command shows whether a
 * checkpoint reproduces the outputs Python produced.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Loads a checkpoint onto a model and runs it on the tensor in a .pt file, writing the output",
            "as a .pt file torch can load."})
public final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "CHECKPOINT_DIR", description = "the checkpoint directory")
    private Path checkpoint;

    @Option(names = "--model", paramLabel = "CLASS",
            description = "a public io.qcheckpoint.nn.Module subclass with a public no-argument constructor")
    private String modelClass;

    @Option(names = "--torchscript", paramLabel = "FP32.pt",
            description = "instead of --model: the float model's TorchScript file (torch.jit.save of a traced or scripted model)")
    private Path torchScript;

    @Option(names = "--classpath", paramLabel = "PATH", description = "folders and jars holding CLASS (separated by '${sys:path.separator}')")
    private String classPath;

    @Option(names = "--fp32-weights", paramLabel = "FILE.pt", description = "a float state dict loaded (strictly) into the model first")
    private Path fp32Weights;

    @Option(names = "--input", required = true, paramLabel = "FILE.pt",
            description = "a .pt file holding one tensor; repeat it for a model of several inputs (an imported"
                    + " BERT's input ids, then its attention mask), in the order of its forward's parameters")
    private List<Path> inputs;

    @Option(names = "--output", required = true, paramLabel = "FILE.pt", description = "where the output tensor is written")
    private Path output;

    @Mixin
    private EngineOption engine = new EngineOption();

    @Spec
    private CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public RunCommand() {
    }

    /**
     * Loads, runs and writes.
     *
     * @return {@link Main#EXIT_OK}
     * @throws IOException if a file is missing or malformed, the class cannot be created, or the
     *     checkpoint or the input does not fit the model
     */
    @SuppressWarnings("try") // the engine option's resource restores the engine when it closes
    @Override
    public Integer call() throws IOException {
        if ((modelClass == null) == (torchScript == null)) {
            throw new ParameterException(spec.commandLine(), "give the model as one of --model CLASS or --torchscript FP32.pt");
        }
        List<Tensor> xs = new ArrayList<>();
        for (Path input : inputs) {
            InputFiles.requireRegularFile(input);
            xs.add(inputTensor(input));
        }
        OutputPaths.checkFile(output);
        try (EngineOption.Selected selected = engine.select();
                ModelClasses.Loaded loaded = torchScript != null ? ModelClasses.fromTorchScript(torchScript)
                        : ModelClasses.create(modelClass, classPath);
                NDManager manager = NDManager.newBaseManager()) {
            if (fp32Weights != null) {
                InputFiles.requireRegularFile(fp32Weights);
                loaded.model().loadStateDict(TorchFiles.readStateDict(fp32Weights), true);
            }
            loaded.model().eval();
            NDList in = new NDList();
            xs.forEach(x -> in.add(TensorArrays.toNDArray(manager, x)));
            try (QuantizedModel<?> q = Checkpoints.load(checkpoint, loaded.model(),
                    LoadOptions.defaults().withExampleInput(in.head()))) {
                Tensor y = TensorArrays.toTensor(forward(q, in));
                TorchFiles.write(output, y);
                spec.commandLine().getOut().println(output + ": " + y.dtype().torchName() + " " + java.util.Arrays.toString(y.shape()));
            }
        }
        return Main.EXIT_OK;
    }

    /** The model on the input; an input that does not fit is bad input, named with the module that refused it. */
    private NDArray forward(QuantizedModel<?> model, NDList in) throws CheckpointException {
        try {
            return model.forward(in);
        } catch (ForwardException e) {
            String files = inputs.size() == 1 ? inputs.get(0).toString() : inputs.toString();
            throw new CheckpointException(files + ": does not fit the model: " + e.getMessage(), e);
        }
    }

    private static Tensor inputTensor(Path input) throws IOException {
        Object root = TorchFiles.read(input).root();
        if (!(root instanceof Tensor t) || t.dtype().isQuantized()) {
            throw new CheckpointFormatException(input.toString(), "--input must hold one plain tensor (torch.save(tensor, f))");
        }
        if (t.dtype().isComplex()) {
            throw new CheckpointFormatException(input.toString(), "--input holds a " + t.dtype().torchName()
                    + " tensor; the models run on real numbers (float32)");
        }
        return t;
    }
}
