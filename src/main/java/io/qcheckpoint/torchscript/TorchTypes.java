package io.qcheckpoint.torchscript;

import io.qcheckpoint.nn.AdaptiveAvgPool2d;
import io.qcheckpoint.nn.AvgPool2d;
import io.qcheckpoint.nn.BatchNorm1d;
import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.BatchNorm3d;
import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ConvOptions;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.Dropout;
import io.qcheckpoint.nn.Flatten;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Hardsigmoid;
import io.qcheckpoint.nn.Hardswish;
import io.qcheckpoint.nn.Identity;
import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.MaxPool2d;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.PoolOptions;
import io.qcheckpoint.nn.QuantStub;
import io.qcheckpoint.nn.ReLU6;
import io.qcheckpoint.nn.ReLU;
import io.qcheckpoint.nn.intrinsic.ConvReLU1d;
import io.qcheckpoint.nn.intrinsic.ConvReLU2d;
import io.qcheckpoint.nn.intrinsic.ConvReLU3d;
import io.qcheckpoint.nn.intrinsic.LinearReLU;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.Tensor;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The torch types that map to the project's modules, the same table style as quantization's
 * mappings: torch type (qualified name without {@code __torch__.} and mangling) to a factory that
 * builds the module from its tensors' shapes and the constants of the one operation its compiled
 * code calls ({@code torch._convolution(x, w, b, [2, 2], [3, 3], [1, 1], ...)} when traced,
 * {@code torch.conv2d(input, weight, bias, [2, 2], [3, 3], [1, 1])} when scripted). Every other
 * type becomes a {@link ScriptedModule}.
 */
final class TorchTypes {
    /** Builds one module; its tensors' values come later, from the archive's state dict. */
    @FunctionalInterface
    interface Factory {
        Module build(TypedSource src) throws CheckpointFormatException;
    }

    private static final Map<String, Factory> TABLE = table();

    private TorchTypes() {
    }

    /** Whether {@code torchType} has a module of its own. */
    static boolean isTyped(String torchType) {
        return torchType != null && TABLE.containsKey(torchType);
    }

    /** The factory of {@code torchType}, or null. */
    static Factory factory(String torchType) {
        return TABLE.get(torchType);
    }

    /** The torch types in the table, for docs and messages. */
    static Set<String> types() {
        return TABLE.keySet();
    }

    private static Map<String, Factory> table() {
        Map<String, Factory> t = new HashMap<>();
        String nn = "torch.nn.modules.";
        t.put(nn + "conv.Conv1d", src -> conv(src, 1));
        t.put(nn + "conv.Conv2d", src -> conv(src, 2));
        t.put(nn + "conv.Conv3d", src -> conv(src, 3));
        t.put(nn + "linear.Linear", TorchTypes::linear);
        t.put(nn + "linear.Identity", src -> noOp(src, new Identity()));
        t.put(nn + "activation.ReLU", src -> {
            src.opIfCalled(Set.of("torch.relu", "torch.nn.functional.relu"));
            return new ReLU();
        });
        t.put(nn + "activation.ReLU6", src -> {
            TypedSource.OpCall c = src.op(Set.of("torch.hardtanh", "torch.nn.functional.hardtanh"));
            if (src.constant(c, 1, Double.class, 0.0) != 0 || src.constant(c, 2, Double.class, 6.0) != 6) {
                throw src.refuse(c.line(), "a ReLU6 must clamp to [0, 6]");
            }
            return new ReLU6();
        });
        t.put(nn + "activation.Hardswish", src -> {
            src.opIfCalled(Set.of("torch.hardswish", "torch.hardswish_", "torch.nn.functional.hardswish"));
            return new Hardswish();
        });
        t.put(nn + "activation.Hardsigmoid", src -> {
            src.opIfCalled(Set.of("torch.hardsigmoid", "torch.hardsigmoid_", "torch.nn.functional.hardsigmoid"));
            return new Hardsigmoid();
        });
        t.put(nn + "batchnorm.BatchNorm1d", src -> batchNorm(src, BatchNorm1d::new));
        t.put(nn + "batchnorm.BatchNorm2d", src -> batchNorm(src, BatchNorm2d::new));
        t.put(nn + "batchnorm.BatchNorm3d", src -> batchNorm(src, BatchNorm3d::new));
        t.put(nn + "pooling.MaxPool2d", TorchTypes::maxPool);
        t.put(nn + "pooling.AvgPool2d", TorchTypes::avgPool);
        t.put(nn + "pooling.AdaptiveAvgPool2d", src -> {
            TypedSource.OpCall c = src.op(Set.of("torch.adaptive_avg_pool2d", "torch.nn.functional.adaptive_avg_pool2d"));
            long[] size = src.longs(c, 1, null);
            return new AdaptiveAvgPool2d(Math.toIntExact(size[0]), Math.toIntExact(size[size.length - 1]));
        });
        t.put(nn + "flatten.Flatten", src -> {
            TypedSource.OpCall c = src.op(Set.of("torch.flatten"));
            return new Flatten(src.constant(c, 1, Long.class, 0L).intValue(), src.constant(c, 2, Long.class, -1L).intValue());
        });
        t.put(nn + "dropout.Dropout", src -> {
            TypedSource.OpCall c = src.op(Set.of("torch.dropout", "torch.dropout_", "torch.nn.functional.dropout"));
            return new Dropout(src.constant(c, 1, Double.class, 0.5));
        });
        for (String q : List.of("torch.ao.quantization.stubs.", "torch.quantization.stubs.")) {
            t.put(q + "QuantStub", src -> noOp(src, new QuantStub()));
            t.put(q + "DeQuantStub", src -> noOp(src, new DeQuantStub()));
        }
        for (String q : List.of("torch.ao.nn.quantized.modules.functional_modules.",
                "torch.nn.quantized.modules.functional_modules.")) {
            // its scripted class has add, add_relu, cat, ... and a forward that raises: its code is not looked at
            t.put(q + "FloatFunctional", src -> new FloatFunctional());
        }
        for (String q : List.of("torch.ao.nn.intrinsic.modules.fused.", "torch.nn.intrinsic.modules.fused.")) {
            t.put(q + "ConvReLU1d", src -> fused(src, m -> new ConvReLU1d((Conv1d) m.get(0), (ReLU) m.get(1))));
            t.put(q + "ConvReLU2d", src -> fused(src, m -> new ConvReLU2d((Conv2d) m.get(0), (ReLU) m.get(1))));
            t.put(q + "ConvReLU3d", src -> fused(src, m -> new ConvReLU3d((Conv3d) m.get(0), (ReLU) m.get(1))));
            t.put(q + "LinearReLU", src -> fused(src, m -> new LinearReLU((Linear) m.get(0), (ReLU) m.get(1))));
        }
        return Collections.unmodifiableMap(t);
    }

    private static Module noOp(TypedSource src, Module m) throws CheckpointFormatException {
        try {
            src.opIfCalled(Set.of());
            return m;
        } catch (CheckpointFormatException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** Builds a fused module from its parts. */
    @FunctionalInterface
    private interface Fusion {
        Module fuse(List<Module> parts);
    }

    private static Module fused(TypedSource src, Fusion fusion) throws CheckpointFormatException {
        List<Module> parts = src.sequence();
        try {
            return fusion.fuse(parts);
        } catch (RuntimeException e) {
            parts.forEach(Module::close);
            throw src.error("does not hold the modules its fused type takes: " + parts + " (" + e.getMessage() + ")");
        }
    }

    private static Module conv(TypedSource src, int dims) throws CheckpointFormatException {
        TypedSource.OpCall c = src.op(Set.of("torch._convolution", "torch.conv" + dims + "d"));
        long[] w = src.shape("weight", dims + 2);
        long[] kernel = Arrays.copyOfRange(w, 2, w.length);
        long[] stride = src.longs(c, 3, TypedSource.ones(dims));
        long[] padding = src.longs(c, 4, new long[dims]);
        long[] dilation = src.longs(c, 5, TypedSource.ones(dims));
        long groups;
        if (c.name().equals("torch._convolution")) {
            if (!Boolean.FALSE.equals(c.arg(6, null))) {
                throw src.refuse(c.line(), "transposed convolutions are not supported");
            }
            groups = src.constant(c, 8, Long.class, 1L);
        } else {
            groups = src.constant(c, 6, Long.class, 1L);
        }
        Tensor bias = src.tensor("bias");
        ConvOptions options = ConvOptions.defaults().withStride(stride).withPadding(padding).withDilation(dilation)
                .withGroups(Math.toIntExact(groups)).withBias(bias != null);
        int in = Math.toIntExact(Math.multiplyExact(w[1], groups));
        int out = Math.toIntExact(w[0]);
        switch (dims) {
            case 1: return new Conv1d(in, out, kernel, options);
            case 2: return new Conv2d(in, out, kernel, options);
            default: return new Conv3d(in, out, kernel, options);
        }
    }

    private static Module linear(TypedSource src) throws CheckpointFormatException {
        src.op(Set.of("torch.linear", "torch.nn.functional.linear"));
        long[] w = src.shape("weight", 2);
        return new Linear(Math.toIntExact(w[1]), Math.toIntExact(w[0]), src.tensor("bias") != null);
    }

    /** A BatchNorm constructor: num_features, eps, momentum (null: cumulative average), affine, track_running_stats. */
    @FunctionalInterface
    private interface BatchNormFactory {
        Module create(int numFeatures, double eps, Double momentum, boolean affine, boolean trackRunningStats);
    }

    /**
     * eps and momentum from the class's constants where scripted ({@code eps : Final[float] = 1e-05}; its code
     * branches on training and is not looked at), from {@code torch.batch_norm}'s arguments where traced.
     */
    private static Module batchNorm(TypedSource src, BatchNormFactory factory) throws CheckpointFormatException {
        Object eps = src.classConstant("eps");
        Object momentum = src.classConstant("momentum");
        if (eps == null) {
            TypedSource.OpCall c = src.op(Set.of("torch.batch_norm"));
            eps = src.constant(c, 7, Double.class, null);
            momentum = c.arg(6, null);
        }
        Tensor weight = src.tensor("weight");
        Tensor mean = src.tensor("running_mean");
        Tensor any = weight != null ? weight : mean;
        if (any == null || any.dim() != 1 || !(eps instanceof Number e)) {
            throw src.error("is a BatchNorm without weight or running statistics of rank 1, or without eps");
        }
        return factory.create(Math.toIntExact(any.shape()[0]), e.doubleValue(),
                momentum instanceof Number m ? m.doubleValue() : null, weight != null, mean != null);
    }

    private static Module maxPool(TypedSource src) throws CheckpointFormatException {
        TypedSource.OpCall c = src.op(Set.of("torch.max_pool2d", "torch.nn.functional._max_pool2d"));
        long[] kernel = src.longs(c, 1, null);
        long[] stride = src.longs(c, 2, kernel);
        if (stride.length == 0) {
            stride = kernel;
        }
        return new MaxPool2d(PoolOptions.of(kernel).withStride(stride).withPadding(src.longs(c, 3, new long[] {0}))
                .withDilation(src.longs(c, 4, new long[] {1})).withCeilMode(src.constant(c, 5, Boolean.class, false)));
    }

    private static Module avgPool(TypedSource src) throws CheckpointFormatException {
        TypedSource.OpCall c = src.op(Set.of("torch.avg_pool2d"));
        long[] kernel = src.longs(c, 1, null);
        long[] stride = src.longs(c, 2, kernel);
        if (stride.length == 0) {
            stride = kernel;
        }
        if (c.arg(6, TypedSource.NONE) != TypedSource.NONE) {
            throw src.refuse(c.line(), "avg_pool2d with a divisor_override is not supported");
        }
        return new AvgPool2d(PoolOptions.of(kernel).withStride(stride).withPadding(src.longs(c, 3, new long[] {0}))
                .withCeilMode(src.constant(c, 4, Boolean.class, false))
                .withCountIncludePad(src.constant(c, 5, Boolean.class, true)));
    }
}
