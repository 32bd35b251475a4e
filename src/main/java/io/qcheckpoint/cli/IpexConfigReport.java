package io.qcheckpoint.cli;

import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexOpCalibration;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.stream.Collectors;

/**
 * Prints an IPEX checkpoint's calibration list ({@code best_configure.json}) as a table: one row per
 * op with its input and output scales, zero points and dtypes, and whether it runs in int8.
 */
final class IpexConfigReport {
    private IpexConfigReport() {
    }

    /**
     * Prints the header line, the op table, a note on what the scales are, and the fp32 ops.
     *
     * @param dir the checkpoint directory
     * @param cfg its calibration list
     * @param out where to print
     */
    static void print(Path dir, IpexConfig cfg, PrintWriter out) {
        out.println(dir + " (IPEX calibration list)");
        TextTable table = new TextTable(false, "ID", "OP", "ALGORITHM", "WEIGHT", "INPUT", "INPUT SCALE", "INPUT ZP",
                "OUTPUT", "OUTPUT SCALE", "OUTPUT ZP", "RUNS IN");
        StringJoiner fp32 = new StringJoiner(", ");
        for (IpexOpCalibration op : cfg.ops()) {
            table.add(Integer.toString(op.id()), op.name(), op.algorithm(), op.weightGranularity(),
                    dtypes(op.inputsUint8Used()), join(op.inputsScale()), zeroPoints(op.inputsZeroPoint()),
                    dtypes(op.outputsUint8Used()), join(op.outputsScale()), zeroPoints(op.outputsZeroPoint()),
                    op.quantized() ? "int8" : "fp32");
            if (!op.quantized()) {
                fp32.add(op.id() + " " + op.name());
            }
        }
        table.print(out);
        // IPEX's scales are the inverse of PyTorch's: say so, or a reader takes 36.9 for a step size.
        out.println("scales are IPEX multipliers (PyTorch scale = 1 / multiplier); a zero point the file lacks (-) is 0");
        out.println(cfg.ops().size() + (cfg.ops().size() == 1 ? " op" : " ops") + "; fp32 ops: "
                + (fp32.length() == 0 ? "none" : fp32));
    }

    private static String dtypes(List<Boolean> uint8Used) {
        return uint8Used.stream().map(u -> u ? "uint8" : "int8").collect(Collectors.joining(", "));
    }

    private static String zeroPoints(Optional<List<Long>> zeroPoints) {
        return zeroPoints.map(IpexConfigReport::join).orElse("-");
    }

    private static String join(List<? extends Number> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
