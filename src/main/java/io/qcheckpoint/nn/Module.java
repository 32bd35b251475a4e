package io.qcheckpoint.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.kernels.LoadThreads;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.pt.StateDict;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A node of a module tree, as {@code torch.nn.Module}: named children in registration order,
 * parameters and buffers (DJL NDArrays owned by the module), a training flag, and a state dict
 * with PyTorch's keys and {@code _metadata}.
 *
 * <p>Define a model as in PyTorch: register children in the constructor and write
 * {@link #forward}. Reach children through the tree when called ({@link #call}, {@link #child}),
 * never through fields set at construction: quantization swaps modules in the tree, and
 * {@link #copy} deep-copies it. Subclasses that hold native resources outside parameters and
 * buffers override {@link #afterCopy} and {@link #closeOwn}.
 *
 * <p>Forward results belong to the input's {@link NDManager}; close it to free the intermediates.
 * In eval mode forward only reads the module, so one module may serve many threads at once.
 */
public abstract class Module implements AutoCloseable, Cloneable {
    private NDManager manager = NDManager.newBaseManager();
    private LinkedHashMap<String, Module> children = new LinkedHashMap<>();
    private LinkedHashMap<String, NDArray> parameters = new LinkedHashMap<>();
    private LinkedHashMap<String, NDArray> buffers = new LinkedHashMap<>();
    /** The views of another tree's arrays that a {@link #shallowCopy} holds, until replaced or owned. */
    private Set<NDArray> borrowed = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean training = true;

    /**
     * Runs the module.
     *
     * @param input the input
     * @return the output, owned by the input's manager
     */
    public abstract NDArray forward(NDArray input);

    /**
     * Runs the module on several inputs, in the order of the model's {@code forward} parameters (a
     * BERT-style model's {@code input_ids, attention_mask}). Modules of one input take a list of one.
     *
     * @param inputs the inputs
     * @return the output, owned by the first input's manager
     * @throws ForwardException if the module takes another number of inputs, or cannot run on them
     */
    public NDArray forward(NDList inputs) {
        if (inputs.size() != 1) {
            throw new ForwardException(this, "takes one input, got " + inputs.size(), null);
        }
        return forward(inputs.head());
    }

    /**
     * Returns the name torch gives this module's type, as LPOT's tune config writes it ({@code Conv2d},
     * {@code Embedding}): the class's simple name, unless the module stands for a torch type it is
     * not a class of (an imported model's modules).
     *
     * @return the type name
     */
    public String typeName() {
        return getClass().getSimpleName();
    }

    /**
     * Returns torch's {@code _version} of this module type, written to {@code _metadata}.
     *
     * @return the version; 1 unless the torch class says otherwise
     */
    protected int version() {
        return 1;
    }

    /**
     * Registers a child under {@code name}; children keep their registration order.
     *
     * @param name a name without dots
     * @param child the child, now owned by this module
     * @param <T> the child's type
     * @return the child
     * @throws IllegalArgumentException if the name is empty, dotted or taken
     */
    protected <T extends Module> T register(String name, T child) {
        checkNewName(name);
        children.put(name, child);
        return child;
    }

    /**
     * Registers a parameter; null registers an absent one (torch's {@code bias=None}).
     *
     * @param name a name without dots
     * @param value the array, now owned by this module, or null
     * @throws IllegalArgumentException if the name is empty, dotted or taken
     */
    protected void registerParameter(String name, NDArray value) {
        checkNewName(name);
        parameters.put(name, own(value));
    }

    /**
     * Registers a buffer (persistent, so part of the state dict).
     *
     * @param name a name without dots
     * @param value the array, now owned by this module
     * @throws IllegalArgumentException if the name is empty, dotted or taken
     */
    protected void registerBuffer(String name, NDArray value) {
        checkNewName(name);
        buffers.put(name, own(value));
    }

    /** Returns the manager that owns this module's parameters and buffers. */
    protected NDManager manager() {
        return manager;
    }

    /**
     * Returns a parameter.
     *
     * @param name its name
     * @return the array, or null for an absent parameter
     * @throws IllegalArgumentException if no parameter has that name
     */
    public NDArray parameter(String name) {
        return lookup(parameters, name, "parameter");
    }

    /**
     * Returns a buffer.
     *
     * @param name its name
     * @return the array
     * @throws IllegalArgumentException if no buffer has that name
     */
    public NDArray buffer(String name) {
        return lookup(buffers, name, "buffer");
    }

    /**
     * Replaces a parameter's array, closing the old one.
     *
     * @param name the parameter's name
     * @param value the new array, now owned by this module, or null
     * @throws IllegalArgumentException if no parameter has that name
     */
    protected void setParameter(String name, NDArray value) {
        replaceArray(parameters, name, value, "parameter");
    }

    /**
     * Replaces a buffer's array, closing the old one.
     *
     * @param name the buffer's name
     * @param value the new array, now owned by this module
     * @throws IllegalArgumentException if no buffer has that name
     */
    protected void setBuffer(String name, NDArray value) {
        replaceArray(buffers, name, value, "buffer");
    }

    /** Returns the parameters by name, in order (absent ones map to null), unmodifiable. */
    public Map<String, NDArray> namedParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Returns the buffers by name, in order, unmodifiable. */
    public Map<String, NDArray> namedBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Returns the direct children by name, in order, unmodifiable. */
    public Map<String, Module> namedChildren() {
        return Collections.unmodifiableMap(children);
    }

    /**
     * Returns every module of the tree by dotted path, this one first as {@code ""}, in torch's
     * {@code named_modules()} order.
     *
     * @return a new ordered map
     */
    public Map<String, Module> namedModules() {
        Map<String, Module> out = new LinkedHashMap<>();
        collectModules("", out);
        return out;
    }

    /**
     * Returns the direct child named {@code name}, as it is now.
     *
     * @param name the child's name
     * @return the child
     * @throws IllegalArgumentException if there is no such child
     */
    public Module child(String name) {
        Module m = children.get(name);
        if (m == null) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no child '" + name + "'");
        }
        return m;
    }

    /**
     * Returns the module at a dotted path ({@code ""} is this module).
     *
     * @param path the path, e.g. {@code "layer1.0.conv"}
     * @return the module
     * @throws IllegalArgumentException if no module has that path
     */
    public Module module(String path) {
        Module m = this;
        if (!path.isEmpty()) {
            for (String part : path.split("\\.", -1)) {
                Module next = m.children.get(part);
                if (next == null) {
                    throw new IllegalArgumentException("no module at '" + path + "' ('" + part + "' is not a child of a "
                            + m.getClass().getSimpleName() + ")");
                }
                m = next;
            }
        }
        return m;
    }

    /**
     * Runs the child named {@code name} on {@code input}. A failure of the child comes out as a
     * {@link ForwardException} whose path starts with {@code name}: libtorch's own failures are
     * turned into one, so that the caller of the model learns which module failed (e.g.
     * {@code layer1.0.conv1}).
     *
     * @param name the child's name
     * @param input the input
     * @return the child's output
     * @throws ForwardException if the child, or a module inside it, cannot run on what it gets
     */
    protected NDArray call(String name, NDArray input) {
        try {
            return callInPlace(name, input);
        } catch (ForwardException e) {
            throw e.within(name);
        }
    }

    /**
     * Runs the child named {@code name} as this module's stand-in: as {@link #call}, but a failure's
     * path does not get {@code name}. For wrappers that torch's tree does not have (a hook, an
     * observer), so that paths stay torch's.
     *
     * @param name the child's name
     * @param input the input
     * @return the child's output
     * @throws ForwardException if the child, or a module inside it, cannot run on what it gets
     */
    protected NDArray callInPlace(String name, NDArray input) {
        Module child = child(name);
        try {
            return child.forward(input);
        } catch (EngineException e) {
            throw ForwardException.refused(child, e);
        }
    }

    /**
     * Returns the child named {@code name} as a {@link Functional} (FloatFunctional before convert,
     * QFunctional after).
     *
     * @param name the child's name
     * @return the child
     * @throws IllegalArgumentException if there is no such child, or it is not a Functional
     */
    protected Functional functional(String name) {
        if (child(name) instanceof Functional f) {
            return f;
        }
        throw new IllegalArgumentException("child '" + name + "' is a " + child(name).getClass().getSimpleName()
                + ", not a Functional");
    }

    /**
     * Puts {@code replacement} at a dotted path, keeping the name's position among its siblings.
     *
     * @param path the path of an existing module (not {@code ""})
     * @param replacement the new module, now owned by the tree
     * @return the module that was there; the caller owns (and closes) it
     * @throws IllegalArgumentException if no module has that path
     */
    public Module replace(String path, Module replacement) {
        int dot = path.lastIndexOf('.');
        Module parent = module(dot < 0 ? "" : path.substring(0, dot));
        String name = path.substring(dot + 1);
        Module old = parent.child(name);
        parent.children.put(name, replacement);
        return old;
    }

    /**
     * Sets the training flag of this module and every descendant.
     *
     * @param mode true for training, false for eval
     * @return this
     */
    public Module train(boolean mode) {
        for (Module m : namedModules().values()) {
            m.training = mode;
        }
        return this;
    }

    /** Sets eval mode on the whole tree, as torch's {@code eval()}; returns this. */
    public Module eval() {
        return train(false);
    }

    /** Returns whether this module is in training mode. */
    public boolean isTraining() {
        return training;
    }

    /**
     * Returns a deep copy of the tree that shares no array or native resource with this one.
     *
     * @return the copy, of this module's class
     */
    public Module copy() {
        return copyTree(false);
    }

    /**
     * Returns a copy of the tree whose parameters and buffers are views of this tree's arrays rather
     * than copies, for rebuilding a model whose arrays a state dict then replaces (LPOT's load): the
     * copy owns the views, not the storage, so closing or replacing them ({@link #loadStateDict})
     * leaves this tree's arrays as they are, and {@link #ownArrays} copies the views not replaced.
     * Until then the two trees share storage: the copy must only be read, converted and loaded
     * (running it in training mode would update this tree's BatchNorm statistics).
     *
     * @return the copy, of this module's class
     */
    public Module shallowCopy() {
        return copyTree(true);
    }

    /** This module's fields, its arrays copied (or, {@code views}, viewed) and its children likewise. */
    private Module copyTree(boolean views) {
        Module c;
        try {
            c = (Module) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
        c.manager = NDManager.newBaseManager();
        c.borrowed = Collections.newSetFromMap(new IdentityHashMap<>());
        c.parameters = views ? c.borrow(parameters) : c.duplicate(parameters);
        c.buffers = views ? c.borrow(buffers) : c.duplicate(buffers);
        c.children = new LinkedHashMap<>();
        children.forEach((name, child) -> c.children.put(name, child.copyTree(views)));
        c.afterCopy();
        return c;
    }

    /**
     * Replaces every view a {@link #shallowCopy} still holds with a copy of its data, so that the
     * tree shares no storage with the one it was copied from.
     *
     * @return this
     */
    public Module ownArrays() {
        for (Module m : namedModules().values()) {
            m.parameters.replaceAll((name, a) -> m.unborrow(a));
            m.buffers.replaceAll((name, a) -> m.unborrow(a));
        }
        return this;
    }

    /**
     * Called on a fresh {@link #copy} or {@link #shallowCopy}, whose parameters, buffers and children
     * are already copied (or viewed):
     * replace any other native resource the copy still shares with the original.
     */
    protected void afterCopy() {
    }

    /**
     * Returns the state dict: every parameter and buffer of the tree under its dotted key, in
     * torch's order, with {@code _metadata} versions.
     *
     * @return a new state dict
     */
    public StateDict stateDict() {
        StateDict sd = new StateDict();
        collectState(sd, "");
        return sd;
    }

    /**
     * Writes this module's own entries (not its children's) under {@code prefix}, as torch's
     * {@code _save_to_state_dict}.
     *
     * @param dest the state dict
     * @param prefix the module's path with a trailing dot, or {@code ""}
     */
    protected void saveToStateDict(StateDict dest, String prefix) {
        parameters.forEach((name, a) -> {
            if (a != null) {
                dest.put(prefix + name, TensorArrays.toTensor(a));
            }
        });
        buffers.forEach((name, a) -> dest.put(prefix + name, TensorArrays.toTensor(a)));
    }

    /**
     * Loads a state dict into the tree, as torch's {@code load_state_dict}. All or nothing: when
     * this throws, no module has changed.
     *
     * @param stateDict the state dict
     * @param strict whether missing and unexpected keys are errors
     * @return the keys left out (empty lists when strict)
     * @throws StateDictMismatchException if a value does not fit, or (strict) a key is missing or unexpected
     */
    public LoadResult loadStateDict(StateDict stateDict, boolean strict) throws StateDictMismatchException {
        return loadStateDict(stateDict, strict, LoadThreads.defaultCount());
    }

    /**
     * Loads a state dict into the tree, as {@link #loadStateDict(StateDict, boolean)}, packing the
     * quantized modules' weights for libtorch on up to {@code threads} threads at once.
     *
     * @param stateDict the state dict
     * @param strict whether missing and unexpected keys are errors
     * @param threads the most threads that pack weights, the calling thread included
     * @return the keys left out (empty lists when strict)
     * @throws StateDictMismatchException if a value does not fit, or (strict) a key is missing or unexpected
     * @throws IllegalArgumentException if {@code threads < 1}
     */
    public LoadResult loadStateDict(StateDict stateDict, boolean strict, int threads)
            throws StateDictMismatchException {
        if (threads < 1) {
            throw new IllegalArgumentException("thread count must be at least 1, not " + threads);
        }
        try (NDManager staging = NDManager.newBaseManager()) {
            LoadContext ctx = new LoadContext(stateDict, staging);
            List<Runnable> commits = new ArrayList<>();
            List<String> missing = ctx.missingKeys();
            List<String> unexpected;
            try {
                namedModules().forEach((path, m) ->
                        commits.add(m.loadFromStateDict(ctx, path.isEmpty() ? "" : path + ".")));
                unexpected = ctx.unexpectedKeys();
                if (!ctx.errors().isEmpty() || strict && !(missing.isEmpty() && unexpected.isEmpty())) {
                    throw new StateDictMismatchException(strict ? missing : List.of(), strict ? unexpected : List.of(),
                            ctx.errors());
                }
                ctx.pack(threads);
            } catch (StateDictMismatchException | RuntimeException e) {
                ctx.discard();
                throw e;
            }
            commits.forEach(Runnable::run);
            return new LoadResult(missing, unexpected);
        }
    }

    /**
     * Stages this module's own entries (not its children's) from the state dict, as torch's
     * {@code _load_from_state_dict}, without changing the module.
     *
     * @param ctx the load in progress
     * @param prefix the module's path with a trailing dot, or {@code ""}
     * @return the action that installs what was staged; run only if the whole load succeeds
     */
    protected Runnable loadFromStateDict(LoadContext ctx, String prefix) {
        Map<String, NDArray> newParams = stage(ctx, prefix, parameters);
        Map<String, NDArray> newBuffers = stage(ctx, prefix, buffers);
        return () -> {
            newParams.forEach(this::setParameter);
            newBuffers.forEach(this::setBuffer);
        };
    }

    /** Frees this module's arrays and native resources, then its children's. */
    @Override
    public void close() {
        closeOwn();
        manager.close();
        children.values().forEach(Module::close);
    }

    /** Frees native resources this module holds outside its parameters and buffers. */
    protected void closeOwn() {
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + (children.isEmpty() ? "()" : children.keySet().toString());
    }

    private static Map<String, NDArray> stage(LoadContext ctx, String prefix, Map<String, NDArray> arrays) {
        Map<String, NDArray> staged = new LinkedHashMap<>();
        arrays.forEach((name, current) -> {
            if (current != null) {
                NDArray a = ctx.array(prefix + name, current);
                if (a != null) {
                    staged.put(name, a);
                }
            }
        });
        return staged;
    }

    private void collectModules(String path, Map<String, Module> out) {
        out.put(path, this);
        children.forEach((name, child) -> child.collectModules(path.isEmpty() ? name : path + "." + name, out));
    }

    private void collectState(StateDict sd, String prefix) {
        sd.putMetadata(prefix.isEmpty() ? "" : prefix.substring(0, prefix.length() - 1),
                Map.of("version", (long) version()));
        saveToStateDict(sd, prefix);
        children.forEach((name, child) -> child.collectState(sd, prefix + name + "."));
    }

    private LinkedHashMap<String, NDArray> duplicate(Map<String, NDArray> arrays) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> out.put(name, a == null ? null : own(a.duplicate())));
        return out;
    }

    private NDArray own(NDArray a) {
        if (a != null) {
            a.attach(manager);
        }
        return a;
    }

    /** Views of {@code arrays}, owned by this module and marked as borrowed. */
    private LinkedHashMap<String, NDArray> borrow(Map<String, NDArray> arrays) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>();
        arrays.forEach((name, a) -> {
            NDArray view = a == null ? null : own(a.reshape(a.getShape()));
            if (view != null) {
                borrowed.add(view);
            }
            out.put(name, view);
        });
        return out;
    }

    /** {@code a}, or a copy of it that this module owns if {@code a} is a borrowed view (freed here). */
    private NDArray unborrow(NDArray a) {
        if (a == null || !borrowed.remove(a)) {
            return a;
        }
        NDArray copy = own(a.duplicate());
        a.close();
        return copy;
    }

    private void replaceArray(Map<String, NDArray> arrays, String name, NDArray value, String kind) {
        NDArray old = lookup(arrays, name, kind);
        arrays.put(name, own(value));
        if (old != null && old != value) {
            borrowed.remove(old);
            old.close();
        }
    }

    private NDArray lookup(Map<String, NDArray> arrays, String name, String kind) {
        if (!arrays.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " has no " + kind + " '" + name + "'");
        }
        return arrays.get(name);
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module attribute names must be non-empty and without dots: '" + name + "'");
        }
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has an attribute '" + name + "'");
        }
    }
}
