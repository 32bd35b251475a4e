package io.qcheckpoint.cli;

import io.qcheckpoint.kernels.QuantizedEngine;
import io.qcheckpoint.kernels.QuantizedEngines;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --engine NAME}: the int8 engine a command loads and runs its models under (a picocli mixin). */
final class EngineOption {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--engine", paramLabel = "NAME",
            description = "libtorch's int8 engine (torch.backends.quantized.engine): x86, fbgemm, onednn or qnnpack, as"
                    + " this libtorch supports on this CPU (default: libtorch's, x86 where fbgemm runs)")
    String engine;

    /** Creates the mixin; picocli calls this. */
    EngineOption() {
    }

    /**
     * Selects the engine named, if any, until the result is closed, which restores the previous one.
     *
     * @throws ParameterException if the name is unknown or this libtorch does not support it here
     */
    Selected select() {
        if (engine == null) {
            return () -> { };
        }
        try {
            QuantizedEngine wanted = QuantizedEngine.of(engine);
            QuantizedEngine before = QuantizedEngines.get();
            QuantizedEngines.set(wanted);
            return () -> QuantizedEngines.set(before);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--engine: " + e.getMessage());
        }
    }

    /** An engine selection; closing it restores the engine before. */
    interface Selected extends AutoCloseable {
        @Override
        void close();
    }
}
