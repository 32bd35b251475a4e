package io.qcheckpoint.cli;

import io.qcheckpoint.kernels.TorchThreads;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --intra-op-threads N}: libtorch's intra-op threads while a command runs (a picocli mixin). */
final class IntraOpThreadsOption {
    /** The most threads the option accepts. */
    static final int MAX = 1024;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    private Integer threads;

    /** Creates the mixin; picocli calls this. */
    IntraOpThreadsOption() {
    }

    /**
     * Takes the option's value as the command line is parsed.
     *
     * @param n the threads
     * @throws ParameterException if the count is out of range
     */
    @Option(names = "--intra-op-threads", paramLabel = "N",
            description = "libtorch's intra-op threads (torch.set_num_threads) for the run, 1.." + MAX
                    + " (default: libtorch's, one per core).")
    void setThreads(int n) {
        if (n < 1 || n > MAX) {
            throw new ParameterException(spec.commandLine(), "--intra-op-threads must be between 1 and " + MAX);
        }
        threads = n;
    }

    /** Returns the threads asked for, or null for libtorch's default. */
    Integer threads() {
        return threads;
    }

    /** Sets the threads asked for, if any, until the result is closed, which restores the count before. */
    EngineOption.Selected select() {
        if (threads == null) {
            return () -> { };
        }
        int before = TorchThreads.intraOp();
        TorchThreads.setIntraOp(threads);
        return () -> TorchThreads.setIntraOp(before);
    }
}
