package io.qcheckpoint.cli;

import io.qcheckpoint.pt.CheckpointException;
import io.qcheckpoint.pt.OutputPaths;
import io.qcheckpoint.pt.TorchFile;
import io.qcheckpoint.pt.TorchFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code qcheckpoint copy IN OUT [--force]}: reads any supported torch.save file and writes it back
 * as this project writes torch files (zip container, protocol-2 pickle, 64-byte aligned records).
 */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = {"Rewrites a torch.save file (zip or legacy container) as torch 1.13 writes it.",
            "OUT is a zip container with 64-byte aligned records and a protocol-2 pickle; keys, order,",
            "dtypes, views, quantization and _metadata are kept. An existing OUT needs --force."})
public final class CopyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "the file to read")
    private Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "the file to write")
    private Path out;

    @Option(names = {"-f", "--force"}, description = "replace OUT if it exists")
    private boolean force;

    @Spec
    private CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public CopyCommand() {
    }

    /**
     * Copies IN to OUT. OUT is replaced atomically, so a failure leaves it as it was.
     *
     * @return {@link Main#EXIT_OK}
     * @throws IOException if IN cannot be read (missing, corrupt, unsafe), holds a value torch files
     *     cannot hold, OUT exists without {@code --force}, or writing fails
     */
    @Override
    public Integer call() throws IOException {
        InputFiles.requireRegularFile(in);
        checkOutput();
        TorchFile file = TorchFiles.read(in);
        int tensors = file.tensors().size();
        try {
            TorchFiles.write(out, file.root());
        } catch (IllegalArgumentException e) {
            // The reader accepts a few values (sets, bare globals) that the writer has no form for.
            throw new CheckpointException(in + ": cannot be written back as a torch file: " + e.getMessage(), e);
        }
        spec.commandLine().getOut().println("wrote " + out + " (" + tensors + (tensors == 1 ? " tensor" : " tensors")
                + ", from a " + file.format().label() + " file)");
        return Main.EXIT_OK;
    }

    private void checkOutput() throws IOException {
        OutputPaths.checkFile(out);
        if (Files.exists(out) && !force) {
            throw new FileAlreadyExistsException(out.toString(), null, "already exists; pass --force to replace it");
        }
    }
}
