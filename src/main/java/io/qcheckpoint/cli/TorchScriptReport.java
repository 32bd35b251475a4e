package io.qcheckpoint.cli;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.torchscript.ScriptedModule;
import java.io.PrintWriter;
import java.util.Map;
import java.util.StringJoiner;

/** {@code qcheckpoint inspect FP32.pt} for a TorchScript file: the imported tree, one module a row. */
final class TorchScriptReport {
    private TorchScriptReport() {
    }

    /** Prints each module's path, type (the torch type of a scripted module) and parameters with shapes. */
    static void print(Module model, PrintWriter out) {
        TextTable table = new TextTable(false, "MODULE", "TYPE", "PARAMETERS");
        for (Map.Entry<String, Module> e : model.namedModules().entrySet()) {
            Module m = e.getValue();
            String type = m instanceof ScriptedModule s ? s.torchType() + " (scripted)" : m.getClass().getSimpleName();
            StringJoiner params = new StringJoiner(", ");
            for (Map.Entry<String, NDArray> p : m.namedParameters().entrySet()) {
                params.add(p.getKey() + (p.getValue() == null ? " None" : " " + p.getValue().getShape()));
            }
            table.add(e.getKey().isEmpty() ? "(root)" : e.getKey(), type, params.toString());
        }
        table.print(out);
    }
}
