package io.qcheckpoint.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.qcheckpoint.CheckpointFormat;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.IpexQuantizedModel;
import io.qcheckpoint.config.IpexConfigs;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.TorchScriptArchive;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code qcheckpoint inspect FILE [--json]}: lists every tensor in a torch.save file. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Lists every tensor in a torch.save file: key, dtype, shape, quantization, size.",
            "Reads the zip container of any torch version and the legacy one of torch < 1.6; with --json it",
            "also gives a SHA-256 of each tensor's elements.",
            "Given a checkpoint directory, prints its tune config instead: each op with its type, weight and",
            "activation choices, and the fp32 fallbacks; for an IPEX checkpoint, each op's scales, zero points",
            "and dtypes, and the ops left in fp32.",
            "Given a TorchScript file (torch.jit.save), imports it and prints the module tree: each module's",
            "path, torch type and parameters."})
public final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE|DIR", description = "a .pt file, or a checkpoint directory (LPOT, Neural Compressor or IPEX)")
    private Path file;

    @Option(names = "--json", description = "print one JSON object: {\"format\", \"tensors\": [{\"key\", \"dtype\","
            + " \"shape\", \"quantization\", \"sha256\"}]}")
    private boolean json;

    @Spec
    private CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public InspectCommand() {
    }

    /**
     * Reads the file and prints the report.
     *
     * @return {@link Main#EXIT_OK}
     * @throws IOException if the file is missing, unreadable, not a torch file, corrupt or unsafe, or
     *     the directory holds no checkpoint or only some of one's files
     */
    @Override
    public Integer call() throws IOException {
        if (Files.isDirectory(file)) {
            if (json) {
                throw new ParameterException(spec.commandLine(), "--json is for .pt files, not checkpoint directories");
            }
            if (CheckpointFormat.detect(file) == CheckpointFormat.IPEX_JSON) {
                IpexConfigReport.print(file, IpexConfigs.readJson(file.resolve(IpexQuantizedModel.CONFIG_FILE)),
                        spec.commandLine().getOut());
            } else {
                TuneConfigReport.print(file, Checkpoints.readTuneConfig(file), spec.commandLine().getOut());
            }
            return Main.EXIT_OK;
        }
        InputFiles.requireRegularFile(file);
        PrintWriter out = spec.commandLine().getOut();
        if (TorchScriptArchive.isTorchScript(file)) {
            if (json) {
                throw new ParameterException(spec.commandLine(), "--json is for torch.save files, not TorchScript files");
            }
            try (Module model = TorchScriptModels.load(file)) {
                TorchScriptReport.print(model, out);
            }
            return Main.EXIT_OK;
        }
        TorchFile tf = TorchFiles.read(file);
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(InspectReport.toJson(tf)));
        } else {
            InspectReport.printTable(tf, out);
        }
        return Main.EXIT_OK;
    }
}
