package io.qcheckpoint.cli;

import io.qcheckpoint.config.OpConfig;
import io.qcheckpoint.config.OpKey;
import io.qcheckpoint.config.TensorConfig;
import io.qcheckpoint.config.TuneConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/** Prints a checkpoint's tune config as a table: one row per op, with its weight and activation choices. */
final class TuneConfigReport {
    private TuneConfigReport() {
    }

    /**
     * Prints the header line, the op table and a summary of fp32 fallbacks.
     *
     * @param dir the checkpoint directory
     * @param cfg its tune config
     * @param out where to print
     */
    static void print(Path dir, TuneConfig cfg, PrintWriter out) {
        out.println(dir + " (" + cfg.approach() + ", framework " + cfg.framework().orElse("?")
                + cfg.calibIteration().stream().mapToObj(n -> ", calib_iteration " + n).findFirst().orElse("") + ")");
        TextTable table = new TextTable(false, "OP", "TYPE", "WEIGHT", "ACTIVATION");
        StringJoiner fallbacks = new StringJoiner(", ");
        for (Map.Entry<OpKey, OpConfig> e : cfg.ops().entrySet()) {
            OpConfig op = e.getValue();
            table.add(e.getKey().name(), e.getKey().type(), describe(op.weight()), describe(Optional.of(op.activation())));
            if (op.isFp32()) {
                fallbacks.add(e.getKey().name());
            }
        }
        table.print(out);
        out.println(cfg.ops().size() + (cfg.ops().size() == 1 ? " op" : " ops") + "; fp32 fallbacks: "
                + (fallbacks.length() == 0 ? "none" : fallbacks));
    }

    private static String describe(Optional<TensorConfig> t) {
        if (t.isEmpty()) {
            return "-";
        }
        TensorConfig c = t.get();
        if (c.isFp32()) {
            return "fp32";
        }
        StringJoiner j = new StringJoiner(" ");
        j.add(c.dtype());
        c.scheme().ifPresent(j::add);
        c.granularity().ifPresent(j::add);
        c.algorithm().ifPresent(j::add);
        return j.toString();
    }
}
