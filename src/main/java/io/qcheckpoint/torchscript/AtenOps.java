package io.qcheckpoint.torchscript;

import static io.qcheckpoint.torchscript.Values.bool;
import static io.qcheckpoint.torchscript.Values.integer;
import static io.qcheckpoint.torchscript.Values.ints;
import static io.qcheckpoint.torchscript.Values.list;
import static io.qcheckpoint.torchscript.Values.longs;
import static io.qcheckpoint.torchscript.Values.number;
import static io.qcheckpoint.torchscript.Values.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.kernels.FloatKernels;
import io.qcheckpoint.nn.Hardsigmoid;
import io.qcheckpoint.nn.Hardswish;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The operations compiled code may call, by the name torch's code printer writes
 * ({@code torch.flatten}, {@code ops.prim.NumToTensor}, {@code int}), each with its parameter names
 * (for keyword arguments), how many are required, and its work on NDArrays. A name outside this
 * table is refused when the file is imported.
 */
final class AtenOps {
    /** The work of an operation on its arguments, all present (defaults filled in). */
    @FunctionalInterface
    interface Fn {
        Object apply(Object[] a);
    }

    /**
     * One operation.
     *
     * @param name its name in code
     * @param params its parameter names, in order
     * @param defaults the values of the trailing optional parameters
     * @param fn its work
     */
    record Op(String name, List<String> params, List<Object> defaults, Fn fn) {
        int required() {
            return params.size() - defaults.size();
        }
    }

    private static final Map<String, Op> TABLE = table();

    private AtenOps() {
    }

    /** Returns the operation called {@code name} in code, or null. */
    static Op lookup(String name) {
        return TABLE.get(name);
    }

    private static Map<String, Op> table() {
        Map<String, Op> t = new HashMap<>();
        op(t, "torch.flatten", "input,start_dim=0,end_dim=-1",
            a -> tensor(a[0]).flatten(Math.toIntExact(integer(a[1])), Math.toIntExact(integer(a[2]))));
        op(t, "torch.relu", "input", a -> tensor(a[0]).getNDArrayInternal().relu());
        op(t, "torch.add", "input,other,alpha=1", a -> add(a[0], scaled(a[1], a[2])));
        op(t, "torch.sub", "input,other,alpha=1", a -> add(a[0], scaled(a[1], -number(a[2]))));
        op(t, "torch.mul", "input,other", a -> a[1] instanceof NDArray b ? tensor(a[0]).mul(b)
            : tensor(a[0]).mul(number(a[1])));
        op(t, "torch.div", "input,other", a -> a[1] instanceof NDArray b ? tensor(a[0]).div(b)
            : tensor(a[0]).div(number(a[1])));
        op(t, "torch.matmul", "input,other", a -> tensor(a[0]).matMul(tensor(a[1])));
        op(t, "torch.cat", "tensors,dim=0", a -> cat(list(a[0]), Math.toIntExact(integer(a[1]))));
        op(t, "torch.reshape", "input,shape", a -> tensor(a[0]).reshape(new Shape(longs(a[1]))));
        op(t, "torch.view", "input,size", a -> tensor(a[0]).reshape(new Shape(longs(a[1]))));
        op(t, "torch.contiguous", "input,memory_format=0", a -> tensor(a[0]));
        op(t, "torch.transpose", "input,dim0,dim1", a -> transpose(tensor(a[0]), integer(a[1]), integer(a[2])));
        op(t, "torch.permute", "input,dims", a -> tensor(a[0]).transpose(ints(a[1])));
        op(t, "torch.mean", "input,dim,keepdim=False,dtype=None", a -> mean(tensor(a[0]), ints(a[1]), bool(a[2])));
        op(t, "torch.softmax", "input,dim,dtype=None", a -> tensor(a[0]).softmax(Math.toIntExact(integer(a[1]))));
        op(t, "torch.sigmoid", "input", a -> tensor(a[0]).getNDArrayInternal().sigmoid());
        op(t, "torch.tanh", "input", a -> tensor(a[0]).tanh());
        op(t, "torch.hardtanh", "input,min_val=-1.0,max_val=1.0",
            a -> tensor(a[0]).clip(number(a[1]), number(a[2])));
        for (String name : List.of("torch.hardswish", "torch.hardswish_")) {
            op(t, name, "input", a -> Hardswish.hardswish(tensor(a[0])));
        }
        for (String name : List.of("torch.hardsigmoid", "torch.hardsigmoid_")) {
            op(t, name, "input", a -> Hardsigmoid.hardsigmoid(tensor(a[0])));
        }
        for (String name : List.of("torch.dropout", "torch.dropout_")) {
            op(t, name, "input,p,train", a -> notTraining(a[2], a[0]));
        }
        op(t, "torch.nn.functional.dropout", "input,p=0.5,training=True,inplace=False", a -> notTraining(a[2], a[0]));
        for (String name : List.of("torch.adaptive_avg_pool2d", "torch.nn.functional.adaptive_avg_pool2d")) {
            op(t, name, "input,output_size", a -> globalAvgPool(tensor(a[0]), longs(a[1])));
        }
        op(t, "torch.rsub", "input,other,alpha=1", a -> rsub(tensor(a[0]), a[1], number(a[2])));
        op(t, "torch.embedding", "weight,indices,padding_idx=-1,scale_grad_by_freq=False,sparse=False",
            a -> FloatKernels.embedding(tensor(a[0]), tensor(a[1]), integer(a[2])));
        op(t, "torch.layer_norm", "input,normalized_shape,weight=None,bias=None,eps=0.00001,cudnn_enable=True",
            a -> FloatKernels.layerNorm(tensor(a[0]), longs(a[1]), affine(a[2], "weight"), affine(a[3], "bias"),
                number(a[4])));
        op(t, "torch.gelu", "input,approximate='none'", a -> FloatKernels.gelu(tensor(a[0]), tanhGelu(a[1])));
        op(t, "torch.slice", "input,dim=0,start=None,end=None,step=1",
            a -> slice(tensor(a[0]), integer(a[1]), a[2], a[3], integer(a[4])));
        op(t, "torch.select", "input,dim,index", a -> select(tensor(a[0]), integer(a[1]), integer(a[2])));
        op(t, "torch.unsqueeze", "input,dim", a -> unsqueeze(tensor(a[0]), integer(a[1])));
        op(t, "torch.to", "input,dtype,non_blocking=False,copy=False,memory_format=None",
            a -> tensor(a[0]).toType(ScalarTypes.dataType(a[1]), bool(a[3])));
        op(t, "torch.zeros_like", "input,dtype=None,layout=None,device=None,pin_memory=None,memory_format=None",
            a -> filledLike(tensor(a[0]), a[1], a[3], 0));
        op(t, "torch.ones_like", "input,dtype=None,layout=None,device=None,pin_memory=None,memory_format=None",
            a -> filledLike(tensor(a[0]), a[1], a[3], 1));
        op(t, "torch.device", "type", a -> Values.string(a[0]));
        op(t, "torch.chunk", "input,chunks,dim=0", a -> chunk(tensor(a[0]), integer(a[1]), integer(a[2])));
        op(t, "torch.size", "input,dim=None", a -> size(tensor(a[0]), a[1]));
        op(t, "ops.prim.NumToTensor", "a", a -> a[0]);
        op(t, "int", "a", a -> (long) number(a[0]));
        op(t, "float", "a", a -> number(a[0]));
        op(t, "torch.floordiv", "a,b", a -> Math.floorDiv(integer(a[0]), integer(a[1])));
        op(t, "torch.floor_divide", "a,b", a -> Math.floorDiv(integer(a[0]), integer(a[1])));
        op(t, "torch.eq", "a,b", a -> number(a[0]) == number(a[1]));
        op(t, "torch.ne", "a,b", a -> number(a[0]) != number(a[1]));
        op(t, "torch.lt", "a,b", a -> number(a[0]) < number(a[1]));
        op(t, "torch.le", "a,b", a -> number(a[0]) <= number(a[1]));
        op(t, "torch.gt", "a,b", a -> number(a[0]) > number(a[1]));
        op(t, "torch.ge", "a,b", a -> number(a[0]) >= number(a[1]));
        op(t, "torch.len", "a", a -> (long) list(a[0]).size());
        op(t, "torch.__is__", "a,b", a -> a[0] == a[1] || a[0] != null && a[0].equals(a[1]));
        op(t, "torch.__isnot__", "a,b", a -> !(a[0] == a[1] || a[0] != null && a[0].equals(a[1])));
        op(t, "torch.warn", "message,stacklevel=2", a -> null);
        op(t, "torch.avg_pool2d", "input,kernel_size,stride=None,padding=0,ceil_mode=False,count_include_pad=True,"
            + "divisor_override=None", AtenOps::avgPool);
        for (String name : List.of("torch.max_pool2d", "torch.nn.functional._max_pool2d")) {
            op(t, name, "input,kernel_size,stride=None,padding=0,dilation=1,ceil_mode=False,return_indices=False",
                AtenOps::maxPool);
        }
        return Collections.unmodifiableMap(t);
    }

    /** Adds an operation; {@code signature} is {@code "a,b,c=default"} with Python literal defaults. */
    private static void op(Map<String, Op> t, String name, String signature, Fn fn) {
        List<String> params = new ArrayList<>();
        List<Object> defaults = new ArrayList<>();
        for (String p : signature.split(",")) {
            int eq = p.indexOf('=');
            params.add(eq < 0 ? p : p.substring(0, eq));
            if (eq >= 0) {
                defaults.add(literal(p.substring(eq + 1)));
            }
        }
        t.put(name, new Op(name, List.copyOf(params), Collections.unmodifiableList(defaults), fn));
    }

    private static Object literal(String s) {
        if (s.startsWith("'")) {
            return s.substring(1, s.length() - 1);
        }
        switch (s) {
            case "None": return null;
            case "True": return Boolean.TRUE;
            case "False": return Boolean.FALSE;
            default: return s.contains(".") ? (Object) Double.parseDouble(s) : (Object) Long.parseLong(s);
        }
    }

    private static Object scaled(Object other, Object alpha) {
        double k = number(alpha);
        if (k == 1) {
            return other;
        }
        return other instanceof NDArray b ? b.mul(k) : number(other) * k;
    }

    private static Object add(Object x, Object other) {
        return other instanceof NDArray b ? tensor(x).add(b) : tensor(x).add(number(other));
    }

    private static Object notTraining(Object train, Object x) {
        if (bool(train)) {
            throw new IllegalArgumentException("dropout in training mode is not supported");
        }
        return tensor(x);
    }

    /**
     * mean over adjacent dimensions as one reduction (DJL reduces one axis at a time): the dimensions are
     * flattened first, so that a quantized input is requantized once, as torch does.
     */
    private static NDArray mean(NDArray x, int[] dims, boolean keepdim) {
        int rank = x.getShape().dimension();
        int[] d = Arrays.stream(dims).map(i -> Math.floorMod(i, rank)).sorted().toArray();
        for (int i = 1; i < d.length; i++) {
            if (d[i] != d[i - 1] + 1) {
                throw new IllegalArgumentException("mean over dimensions " + Arrays.toString(dims)
                        + " that are not adjacent is not supported");
            }
        }
        if (d.length == 0) {
            throw new IllegalArgumentException("mean over no dimensions is not supported");
        }
        NDArray flat = d.length == 1 ? x : x.flatten(d[0], d[d.length - 1]);
        NDArray m = flat.mean(new int[] {d[0]}, false);
        if (!keepdim) {
            return m;
        }
        long[] shape = x.getShape().getShape().clone();
        for (int i : d) {
            shape[i] = 1;
        }
        return m.reshape(new Shape(shape));
    }

    private static Object avgPool(Object[] a) {
        if (a[6] != null) {
            throw new IllegalArgumentException("avg_pool2d with a divisor_override is not supported");
        }
        long[] kernel = pair(a[1]);
        return tensor(a[0]).getNDArrayInternal().avgPool(new Shape(kernel), new Shape(strideOr(a[2], kernel)),
                new Shape(pair(a[3])), bool(a[4]), bool(a[5]));
    }

    private static Object maxPool(Object[] a) {
        long[] dilation = pair(a[4]);
        if (dilation[0] != 1 || dilation[1] != 1 || bool(a[6])) {
            throw new IllegalArgumentException("max_pool2d as a function takes no dilation and no return_indices;"
                    + " use a MaxPool2d module");
        }
        long[] kernel = pair(a[1]);
        return tensor(a[0]).getNDArrayInternal().maxPool(new Shape(kernel), new Shape(strideOr(a[2], kernel)),
                new Shape(pair(a[3])), bool(a[5]));
    }

    /** A 2-d size: one int or a list of one or two. */
    private static long[] pair(Object v) {
        long[] l = longs(v);
        return l.length == 1 ? new long[] {l[0], l[0]} : l;
    }

    private static long[] strideOr(Object stride, long[] kernel) {
        return stride == null || longs(stride).length == 0 ? kernel : pair(stride);
    }

    /** adaptive_avg_pool2d to 1 x 1, the one output size models call it with as a function. */
    private static NDArray globalAvgPool(NDArray x, long[] size) {
        if (size.length != 2 || size[0] != 1 || size[1] != 1) {
            throw new IllegalArgumentException("adaptive_avg_pool2d as a function takes output size [1, 1], got "
                    + Arrays.toString(size) + "; use an AdaptiveAvgPool2d module");
        }
        try (NDArray pooled = x.getNDArrayInternal().globalAvgPool()) {
            return pooled.reshape(pooled.getShape().addAll(new Shape(1, 1)));
        }
    }

    private static NDArray rsub(NDArray x, Object other, double alpha) {
        NDArray scaled = alpha == 1 ? x : x.mul(alpha);
        return other instanceof NDArray b ? b.sub(scaled) : scaled.getNDArrayInternal().rsub(number(other));
    }

    private static NDArray affine(Object v, String name) {
        if (v == null) {
            throw new IllegalArgumentException("layer_norm without a " + name + " (elementwise_affine=False) is not"
                    + " supported");
        }
        return tensor(v);
    }

    private static boolean tanhGelu(Object approximate) {
        if ("none".equals(approximate) || "tanh".equals(approximate)) {
            return "tanh".equals(approximate);
        }
        throw new IllegalArgumentException("gelu's approximate is 'none' or 'tanh', got " + Values.describe(approximate));
    }

    /** torch's slice: negative bounds count from the end, bounds past either end are clamped. */
    private static NDArray slice(NDArray x, long dim, Object start, Object end, long step) {
        if (step < 1) {
            throw new IllegalArgumentException("slice step must be positive, got " + step);
        }
        int d = axis(x, dim);
        long size = x.getShape().get(d);
        long from = clamp(start == null ? 0 : integer(start), size);
        long to = Math.max(from, clamp(end == null ? size : integer(end), size));
        if (from == 0 && to == size && step == 1) {
            return x;
        }
        return x.get(new NDIndex().addAllDim(d).addSliceDim(from, to, step));
    }

    private static long clamp(long index, long size) {
        long i = index < 0 ? index + size : index;
        return Math.min(Math.max(i, 0), size);
    }

    private static NDArray select(NDArray x, long dim, long index) {
        int d = axis(x, dim);
        long size = x.getShape().get(d);
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("select index " + index + " is out of range for dimension " + d
                    + " of size " + size);
        }
        return x.get(new NDIndex().addAllDim(d).addIndices(index < 0 ? index + size : index));
    }

    private static NDArray unsqueeze(NDArray x, long dim) {
        int rank = x.getShape().dimension() + 1;
        if (dim < -rank || dim >= rank) {
            throw new IndexOutOfBoundsException("unsqueeze dimension " + dim + " is out of range for rank " + rank);
        }
        return x.expandDims(Math.floorMod(dim, rank));
    }

    private static NDArray filledLike(NDArray x, Object dtype, Object device, int value) {
        if (device != null && !"cpu".equals(device)) {
            throw new IllegalArgumentException("tensors are created on the cpu, not on " + Values.describe(device));
        }
        DataType type = dtype == null ? x.getDataType() : ScalarTypes.dataType(dtype);
        NDArray out = x.getManager().zeros(x.getShape(), type);
        return value == 0 ? out : out.addi(value);
    }

    private static int axis(NDArray x, long dim) {
        int rank = x.getShape().dimension();
        if (dim < -rank || dim >= rank) {
            throw new IndexOutOfBoundsException("dimension " + dim + " is out of range for rank " + rank);
        }
        return Math.floorMod(dim, rank);
    }

    private static NDArray cat(List<?> xs, int dim) {
        NDList parts = new NDList();
        for (Object x : xs) {
            parts.add(tensor(x));
        }
        return parts.size() == 1 ? parts.head().duplicate() : NDArrays.concat(parts, dim);
    }

    private static NDArray transpose(NDArray x, long d0, long d1) {
        int rank = x.getShape().dimension();
        int[] axes = new int[rank];
        Arrays.setAll(axes, i -> i);
        int a = Math.floorMod(d0, rank);
        int b = Math.floorMod(d1, rank);
        axes[a] = b;
        axes[b] = a;
        return x.transpose(axes);
    }

    private static List<Object> chunk(NDArray x, long chunks, long dim) {
        int axis = Math.floorMod(dim, x.getShape().dimension());
        long size = x.getShape().get(axis);
        long each = (size + chunks - 1) / chunks;
        List<Long> cuts = new ArrayList<>();
        for (long c = each; c < size; c += each) {
            cuts.add(c);
        }
        long[] indices = cuts.stream().mapToLong(Long::longValue).toArray();
        return List.copyOf(x.split(indices, axis));
    }

    private static Object size(NDArray x, Object dim) {
        long[] shape = x.getShape().getShape();
        if (dim == null) {
            List<Object> out = new ArrayList<>();
            for (long s : shape) {
                out.add(s);
            }
            return Collections.unmodifiableList(out);
        }
        return shape[Math.floorMod(integer(dim), shape.length)];
    }
}
