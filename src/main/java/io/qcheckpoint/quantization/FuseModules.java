package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.nn.BatchNorm;
import io.qcheckpoint.nn.BatchNorm1d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.BatchNorm3d;
import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ConvNd;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.intrinsic.ConvBn2d;
import io.qcheckpoint.nn.intrinsic.ConvBnReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU1d;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU3d;
import io.qcheckpoint.nn.intrinsic.LinearReLU;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Module fusion, as torch's {@code torch.ao.quantization.fuse_modules} and
 * {@code fuse_modules_qat} with the default fuser table ({@code DEFAULT_OP_LIST_TO_FUSER_METHOD}):
 *
 * <table>
 * <caption>patterns (module classes matched exactly, as torch matches {@code type(m)})</caption>
 * <tr><th>modules</th><th>{@link #fuseModules}</th><th>{@link #fuseModulesQat}</th></tr>
 * <tr><td>ConvNd, BatchNormNd</td><td>ConvNd with the batch norm folded in (eval only)</td><td>ConvBn2d (2-d only)</td></tr>
 * <tr><td>ConvNd, BatchNormNd, ReLU</td><td>ConvReLUNd around the folded conv (eval only)</td><td>ConvBnReLU2d (2-d only)</td></tr>
 * <tr><td>ConvNd, ReLU</td><td>ConvReLUNd</td><td>ConvReLUNd</td></tr>
 * <tr><td>Linear, BatchNorm1d</td><td>Linear with the batch norm folded in (eval only)</td><td>not supported (torch: LinearBn1d)</td></tr>
 * <tr><td>Linear, ReLU</td><td>LinearReLU</td><td>LinearReLU</td></tr>
 * </table>
 *
 * <p>The fused module takes the first name of its group; the other names get an {@link Identity}
 * in the first module's mode. Torch's (BatchNorm, ReLU) and ConvTranspose patterns are not
 * supported. Folding computes in float32 with torch's formulas and order of operations
 * ({@code fuse_conv_bn_weights}, {@code fuse_linear_bn_weights}).
 */
public final class FuseModules {
    /** One fuser: the modules of a group in order, whether QAT fusion is asked for; returns the fused module. */
    @FunctionalInterface
    private interface Fuser {
        Module fuse(List<Module> modules, boolean qat);
    }

    private static final Map<List<Class<? extends Module>>, Fuser> FUSERS = fusers();

    private FuseModules() {
    }

    /**
     * Fuses each group of modules of a copy of {@code model}, as torch's
     * {@code fuse_modules(model, groups, inplace=False)}; conv/linear with batch norm fold in eval mode.
     *
     * @param model the model; never changed
     * @param groups each a list of dotted module paths to fuse, in forward order
     * @return a fused deep copy, owned by the caller
     * @throws IllegalArgumentException if a path names no module, a group matches no supported
     *     pattern, its modules disagree in mode or size, or a batch norm would be folded in training mode
     */
    public static Module fuseModules(Module model, List<List<String>> groups) {
        return fuse(model, groups, false);
    }

    /**
     * Fuses each group of modules of a copy of {@code model} for quantization-aware training, as
     * torch's {@code fuse_modules_qat(model, groups, inplace=False)}: conv with batch norm becomes
     * {@link ConvBn2d} or {@link ConvBnReLU2d}, the batch norm kept as it is.
     *
     * @param model the model; never changed
     * @param groups each a list of dotted module paths to fuse, in forward order
     * @return a fused deep copy, owned by the caller
     * @throws IllegalArgumentException if a path names no module, a group matches no supported
     *     pattern, or its modules disagree in mode or size, or the batch norm is not affine with running stats
     */
    public static Module fuseModulesQat(Module model, List<List<String>> groups) {
        return fuse(model, groups, true);
    }

    private static Module fuse(Module model, List<List<String>> groups, boolean qat) {
        // folding makes new weights for every conv or linear fused with a batch norm: views of the
        // model's arrays suffice until then, and only the arrays left are copied at the end
        Module copy = model.shallowCopy();
        try {
            for (List<String> group : groups) {
                fuseGroup(copy, group, qat);
            }
            return copy.ownArrays();
        } catch (RuntimeException e) {
            copy.close();
            throw e;
        }
    }

    private static void fuseGroup(Module root, List<String> paths, boolean qat) {
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("cannot fuse an empty group of modules");
        }
        List<Module> modules = new ArrayList<>();
        for (String path : paths) {
            try {
                modules.add(root.module(path));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot fuse " + paths + ": " + e.getMessage(), e);
            }
        }
        List<Class<? extends Module>> types = modules.stream().<Class<? extends Module>>map(Module::getClass).toList();
        Fuser fuser = FUSERS.get(types);
        if (fuser == null) {
            throw new IllegalArgumentException("cannot fuse " + describe(paths, modules) + ": no fuser for "
                    + types.stream().map(Class::getSimpleName).collect(Collectors.joining(", ", "(", ")")));
        }
        Module fused;
        try {
            fused = fuser.fuse(modules, qat);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot fuse " + describe(paths, modules) + ": " + e.getMessage(), e);
        }
        // modules the fused one wraps move into it; the ones it replaced by copies are freed
        Set<Module> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(fused.namedModules().values());
        List<Module> removed = new ArrayList<>();
        removed.add(root.replace(paths.get(0), fused));
        boolean training = modules.get(0).isTraining();
        for (int i = 1; i < paths.size(); i++) {
            removed.add(root.replace(paths.get(i), new Identity().train(training)));
        }
        for (Module m : removed) {
            if (!kept.contains(m)) {
                m.close();
            }
        }
    }

    private static String describe(List<String> paths, List<Module> modules) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < paths.size(); i++) {
            parts.add("'" + paths.get(i) + "' (" + modules.get(i).getClass().getSimpleName() + ")");
        }
        return String.join(", ", parts);
    }

    private static Map<List<Class<? extends Module>>, Fuser> fusers() {
        Map<List<Class<? extends Module>>, Fuser> t = new HashMap<>();
        t.put(List.of(Conv1d.class, BatchNorm1d.class), FuseModules::convBn);
        t.put(List.of(Conv2d.class, BatchNorm2d.class), FuseModules::convBn);
        t.put(List.of(Conv3d.class, BatchNorm3d.class), FuseModules::convBn);
        t.put(List.of(Conv1d.class, BatchNorm1d.class, ReLU.class), FuseModules::convBnRelu);
        t.put(List.of(Conv2d.class, BatchNorm2d.class, ReLU.class), FuseModules::convBnRelu);
        t.put(List.of(Conv3d.class, BatchNorm3d.class, ReLU.class), FuseModules::convBnRelu);
        t.put(List.of(Conv1d.class, ReLU.class), (m, qat) -> new ConvReLU1d((Conv1d) m.get(0), (ReLU) m.get(1)));
        t.put(List.of(Conv2d.class, ReLU.class), (m, qat) -> new ConvReLU2d((Conv2d) m.get(0), (ReLU) m.get(1)));
        t.put(List.of(Conv3d.class, ReLU.class), (m, qat) -> new ConvReLU3d((Conv3d) m.get(0), (ReLU) m.get(1)));
        t.put(List.of(Linear.class, BatchNorm1d.class), FuseModules::linearBn);
        t.put(List.of(Linear.class, ReLU.class), (m, qat) -> new LinearReLU((Linear) m.get(0), (ReLU) m.get(1)));
        return Map.copyOf(t);
    }

    /** torch's {@code fuse_conv_bn}. */
    private static Module convBn(List<Module> m, boolean qat) {
        ConvNd conv = (ConvNd) m.get(0);
        BatchNorm bn = (BatchNorm) m.get(1);
        sameMode(m);
        checkFeatures(bn, conv.outChannels(), "output channels of the conv");
        if (qat) {
            checkQatBatchNorm(bn);
            if (conv instanceof Conv2d c2 && bn instanceof BatchNorm2d b2) {
                return new ConvBn2d(c2, b2);
            }
            throw new IllegalArgumentException("QAT fusion of " + conv.getClass().getSimpleName() + " is not supported (only 2-d)");
        }
        return foldConvBn(conv, bn);
    }

    /** torch's {@code fuse_conv_bn_relu}. */
    private static Module convBnRelu(List<Module> m, boolean qat) {
        ConvNd conv = (ConvNd) m.get(0);
        BatchNorm bn = (BatchNorm) m.get(1);
        ReLU relu = (ReLU) m.get(2);
        sameMode(m);
        checkFeatures(bn, conv.outChannels(), "output channels of the conv");
        if (qat) {
            checkQatBatchNorm(bn);
            if (conv instanceof Conv2d c2 && bn instanceof BatchNorm2d b2) {
                return new ConvBnReLU2d(c2, b2, relu);
            }
            throw new IllegalArgumentException("QAT fusion of " + conv.getClass().getSimpleName() + " is not supported (only 2-d)");
        }
        ConvNd folded = foldConvBn(conv, bn);
        try {
            if (folded instanceof Conv1d c) {
                return new ConvReLU1d(c, relu);
            }
            if (folded instanceof Conv2d c) {
                return new ConvReLU2d(c, relu);
            }
            return new ConvReLU3d((Conv3d) folded, relu);
        } catch (RuntimeException e) {
            folded.close();
            throw e;
        }
    }

    /** torch's {@code fuse_linear_bn}. */
    private static Module linearBn(List<Module> m, boolean qat) {
        Linear linear = (Linear) m.get(0);
        BatchNorm bn = (BatchNorm) m.get(1);
        sameMode(m);
        if (qat) {
            throw new IllegalArgumentException("QAT fusion of Linear and BatchNorm1d (torch's LinearBn1d) is not supported");
        }
        checkEval(m);
        checkFeatures(bn, linear.outFeatures(), "output features of the Linear");
        try (NDManager scratch = NDManager.newBaseManager()) {
            BnTerms bnTerms = BnTerms.of(bn, scratch);
            NDArray scale = bnTerms.weight.mul(bnTerms.rsqrt);
            NDArray w = local(linear.weight(), scratch).mul(scale.expandDims(-1));
            NDArray b0 = linear.bias() == null ? scratch.zeros(bnTerms.mean.getShape()) : local(linear.bias(), scratch);
            NDArray b = b0.sub(bnTerms.mean).mul(scale).add(bnTerms.bias);
            return linear.withParameters(w, b);
        }
    }

    /** torch's {@code fuse_conv_bn_eval}: a copy of the conv with the batch norm's affine map folded in. */
    private static ConvNd foldConvBn(ConvNd conv, BatchNorm bn) {
        checkEval(List.of(conv, bn));
        try (NDManager scratch = NDManager.newBaseManager()) {
            BnTerms bnTerms = BnTerms.of(bn, scratch);
            long[] shape = new long[conv.weight().getShape().dimension()];
            Arrays.fill(shape, 1);
            shape[0] = -1;
            NDArray w = local(conv.weight(), scratch).mul(bnTerms.weight.mul(bnTerms.rsqrt).reshape(new Shape(shape)));
            NDArray b0 = conv.bias() == null ? scratch.zeros(bnTerms.mean.getShape()) : local(conv.bias(), scratch);
            // torch's order: (b - mean) * rsqrt * gamma + beta
            NDArray b = b0.sub(bnTerms.mean).mul(bnTerms.rsqrt).mul(bnTerms.weight).add(bnTerms.bias);
            return conv.withParameters(w, b);
        }
    }

    /** A batch norm's terms copied into a scratch manager, absent affine terms as torch's defaults. */
    private record BnTerms(NDArray mean, NDArray rsqrt, NDArray weight, NDArray bias) {
        static BnTerms of(BatchNorm bn, NDManager scratch) {
            NDArray mean = local(bn.runningMean(), scratch);
            // torch.rsqrt(var + eps): float32 add, then 1 / sqrt
            NDArray rsqrt = local(bn.runningVar(), scratch).add(bn.eps()).sqrt().getNDArrayInternal().rdiv(1f);
            NDArray weight = bn.weight() == null ? scratch.ones(mean.getShape()) : local(bn.weight(), scratch);
            NDArray bias = bn.bias() == null ? scratch.zeros(mean.getShape()) : local(bn.bias(), scratch);
            return new BnTerms(mean, rsqrt, weight, bias);
        }
    }

    /** Copies a module's array into the scratch manager, so that results of ops on it land there too. */
    private static NDArray local(NDArray a, NDManager scratch) {
        NDArray c = a.duplicate();
        c.attach(scratch);
        return c;
    }

    private static void sameMode(List<Module> m) {
        boolean training = m.get(0).isTraining();
        for (Module x : m) {
            if (x.isTraining() != training) {
                throw new IllegalArgumentException("the modules must all be in the same mode (train or eval)");
            }
        }
    }

    private static void checkEval(List<Module> m) {
        if (m.stream().anyMatch(Module::isTraining)) {
            throw new IllegalArgumentException("folding a batch norm needs eval mode (torch: \"Fusion only for eval!\"); "
                    + "use fuseModulesQat for quantization-aware training");
        }
    }

    private static void checkFeatures(BatchNorm bn, int expected, String what) {
        if (bn.numFeatures() != expected) {
            throw new IllegalArgumentException("the batch norm has " + bn.numFeatures() + " features, the " + what
                    + " are " + expected);
        }
    }

    private static void checkQatBatchNorm(BatchNorm bn) {
        if (!bn.affine() || !bn.trackRunningStats()) {
            throw new IllegalArgumentException("QAT fusion needs a batch norm with affine=True and track_running_stats=True");
        }
    }
}
