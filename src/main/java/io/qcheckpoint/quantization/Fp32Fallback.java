package io.qcheckpoint.quantization;

import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.QuantStub;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Set;

/**
 * Keeps fp32 ops in float inside a quantized model, as LPOT's
 * {@code _fallback_quantizable_ops_recursively} (static and QAT approaches). For an fp32 op under
 * {@code parent}: when it is the only listed op under {@code parent} (QuantStubs not counted), the
 * QuantStub and DeQuantStub children of {@code parent} become {@link Identity}, so {@code parent}
 * runs in float; otherwise (or when there are no stubs) the op is wrapped in a
 * {@link DequantQuantWrapper}.
 */
public final class Fp32Fallback {
    private Fp32Fallback() {
    }

    /**
     * Applies the fallback to {@code root} in place, and updates {@code qconfigs} to match: the fp32
     * op loses its qconfig; a wrapper's {@code quant} and {@code dequant} get {@code wrapperQConfig};
     * stubs replaced by Identity lose theirs.
     *
     * @param root the model (a copy the caller owns)
     * @param fallbackOps paths of the fp32 ops
     * @param listedOps paths of every op the config lists, quantized or not
     * @param qconfigs module path to qconfig, as {@link QConfigPropagation} made it; changed in place
     * @param wrapperQConfig the qconfig of a wrapper's stubs (LPOT: MinMax, symmetric, quint8)
     */
    public static void apply(Module root, Set<String> fallbackOps, Collection<String> listedOps,
            Map<String, QConfig> qconfigs, QConfig wrapperQConfig) {
        visit(root, root, "", fallbackOps, listedOps, qconfigs, wrapperQConfig);
    }

    private static void visit(Module root, Module parent, String prefix, Set<String> fallbackOps,
            Collection<String> listedOps, Map<String, QConfig> qconfigs, QConfig wrapperQConfig) {
        for (Map.Entry<String, Module> e : new ArrayList<>(parent.namedChildren().entrySet())) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (!fallbackOps.contains(path)) {
                visit(root, e.getValue(), path, fallbackOps, listedOps, qconfigs, wrapperQConfig);
                continue;
            }
            qconfigs.remove(path);
            boolean onlyOp = countListed(parent, prefix, listedOps) == 1;
            if (!onlyOp || !stubsToIdentity(root, parent, prefix, qconfigs)) {
                root.replace(path, new DequantQuantWrapper(e.getValue()));
                qconfigs.put(path + ".quant", wrapperQConfig);
                qconfigs.put(path + ".dequant", wrapperQConfig);
            }
        }
    }

    /** Replaces the QuantStub/DeQuantStub children of {@code parent} with Identity; returns whether there were any. */
    private static boolean stubsToIdentity(Module root, Module parent, String prefix, Map<String, QConfig> qconfigs) {
        boolean found = false;
        for (Map.Entry<String, Module> s : new ArrayList<>(parent.namedChildren().entrySet())) {
            if (s.getValue() instanceof QuantStub || s.getValue() instanceof DeQuantStub) {
                String stub = prefix.isEmpty() ? s.getKey() : prefix + "." + s.getKey();
                root.replace(stub, new Identity()).close();
                qconfigs.remove(stub);
                found = true;
            }
        }
        return found;
    }

    /** LPOT's {@code _find_quantized_op_num}: listed ops under {@code module}, QuantStubs excluded. */
    private static int countListed(Module module, String prefix, Collection<String> listedOps) {
        int count = 0;
        for (Map.Entry<String, Module> e : module.namedChildren().entrySet()) {
            String path = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (listedOps.contains(path) && !(e.getValue() instanceof QuantStub)) {
                count++;
            } else {
                count += countListed(e.getValue(), path, listedOps);
            }
        }
        return count;
    }
}
