package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gives each module of a tree its qconfig from per-op configs, as LPOT's
 * {@code _propagate_qconfig_recursively} (v1.9+): a listed op gets its own config (null for an
 * fp32 op) and passes it to its direct children (the parts of a fused module); an unlisted
 * {@code DeQuantStub} gets a default; every other module gets none.
 */
public final class QConfigPropagation {
    private QConfigPropagation() {
    }

    /**
     * Propagates the configs.
     *
     * @param root the model
     * @param opConfigs op path to qconfig, in config order; a null value marks an fp32 op
     * @param dequantStubDefault the qconfig of unlisted DeQuantStubs
     * @return module path to qconfig, for the modules that have one, in tree order, unmodifiable
     */
    public static Map<String, QConfig> propagate(Module root, Map<String, QConfig> opConfigs, QConfig dequantStubDefault) {
        Map<String, QConfig> out = new LinkedHashMap<>();
        visit(root, "", null, opConfigs, dequantStubDefault, out);
        return Collections.unmodifiableMap(out);
    }

    private static void visit(Module parent, String prefix, QConfig inherited, Map<String, QConfig> opConfigs,
            QConfig dequantStubDefault, Map<String, QConfig> out) {
        for (Map.Entry<String, Module> e : parent.namedChildren().entrySet()) {
            String path = prefix + e.getKey();
            QConfig qconfig = inherited;
            QConfig forChildren = null;
            if (opConfigs.containsKey(path)) {
                qconfig = opConfigs.get(path);
                forChildren = qconfig;
            } else if (e.getValue().getClass() == DeQuantStub.class) {
                qconfig = dequantStubDefault;
            }
            if (qconfig != null) {
                out.put(path, qconfig);
            }
            visit(e.getValue(), path + ".", forChildren, opConfigs, dequantStubDefault, out);
        }
    }
}
