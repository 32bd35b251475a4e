package io.qcheckpoint.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

/** Runs the command line in-process and captures what it printed. */
final class Cli {
    /** The reference files written by PyTorch 2.11 and by LPOT with torch 1.13. */
    static final Path REFERENCE = Path.of("src/test/resources/fixtures/reference");
    /** An LPOT v1.5 post-training static checkpoint: per-channel qint8 weights, an fp32 fallback. */
    static final Path LPOT_STATIC = REFERENCE.resolve("lpot-v1.5/post_training_static_quant.best_model_weights.pt");
    /** A torch-2.11 state dict in the legacy container. */
    static final Path LEGACY = REFERENCE.resolve("torch-2.11/legacy.pt");
    /** A TorchScript archive, which is not a torch.save file. */
    static final Path TORCHSCRIPT = REFERENCE.resolve("torch-2.11/ts_float.pt");

    /** Every reference file that torch.save wrote (TorchScript archives excluded). */
    static final List<Path> SAVED = List.of(
            REFERENCE.resolve("lpot-v1.5/post_training_dynamic_quant.best_model_weights.pt"),
            LPOT_STATIC,
            REFERENCE.resolve("lpot-v1.5/quant_aware_training.best_model_weights.pt"),
            REFERENCE.resolve("torch-2.11/float_sd.pt"),
            REFERENCE.resolve("torch-2.11/float_sd_buf.pt"),
            LEGACY,
            REFERENCE.resolve("torch-2.11/misc.pt"),
            REFERENCE.resolve("torch-2.11/qdyn_fp16_sd.pt"),
            REFERENCE.resolve("torch-2.11/qdyn_sd.pt"),
            REFERENCE.resolve("torch-2.11/qemb_sd.pt"),
            REFERENCE.resolve("torch-2.11/qstatic_pertensor_sd.pt"),
            REFERENCE.resolve("torch-2.11/qstatic_sd.pt"),
            REFERENCE.resolve("torch-2.11/qtensors.pt"));

    private Cli() {
    }

    /** What one run printed, and its exit code. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    /** Runs {@code qcheckpoint args...}. */
    static Result run(Object... args) {
        String[] a = new String[args.length];
        for (int i = 0; i < args.length; i++) {
            a[i] = args[i].toString();
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out), new PrintWriter(err), a);
        return new Result(code, out.toString(), err.toString());
    }
}
