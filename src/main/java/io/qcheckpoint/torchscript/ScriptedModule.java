package io.qcheckpoint.torchscript;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.nn.Module;
import java.util.List;
import java.util.function.Supplier;

/**
 * A module of a TorchScript file whose torch type has no module of its own in {@code io.qcheckpoint.nn}
 * (the model's own classes, {@code Sequential}): its forward runs the statements of the class's
 * compiled {@code forward}, compiled when the file was imported. Children run through
 * {@link Module#call}, so that quantization's swaps take effect; torch functions come from the op
 * table.
 */
public final class ScriptedModule extends Module {
    private final String torchType;
    private Program program;

    ScriptedModule(String torchType) {
        this.torchType = torchType;
    }

    /** Returns the torch type, e.g. {@code torchvision.models.quantization.resnet.QuantizableResNet}. */
    public String torchType() {
        return torchType;
    }

    /** Returns the torch type's simple name ({@code Embedding}, {@code BertLayer}), as LPOT names the op type. */
    @Override
    public String typeName() {
        return CodeBase.simpleName(torchType);
    }

    Program program() {
        return program;
    }

    void install(Program compiled) {
        this.program = compiled;
    }

    void addChild(String name, Module child) {
        register(name, child);
    }

    void addParameter(String name, NDArray value) {
        registerParameter(name, value);
    }

    void addBuffer(String name, NDArray value) {
        registerBuffer(name, value);
    }

    /**
     * Runs the compiled {@code forward} on one input.
     *
     * @param input the input
     * @return the output, owned by the input's manager
     * @throws ForwardException if the code takes another number of inputs, or a child or an operation of
     *     the code cannot run on what it gets
     */
    @Override
    public NDArray forward(NDArray input) {
        return forward(new NDList(input));
    }

    /**
     * Runs the compiled {@code forward} on its inputs, in the order of its parameters.
     *
     * @param inputs the inputs
     * @return the output, owned by the inputs' manager
     * @throws ForwardException if the code takes another number of inputs, or a child or an operation of
     *     the code cannot run on what it gets
     */
    @Override
    public NDArray forward(NDList inputs) {
        return (NDArray) guarded(() -> Values.tensor(invoke("forward", List.copyOf(inputs))));
    }

    /** Runs code of this module, turning an operation's refusal into a ForwardException that names it. */
    private Object guarded(Supplier<Object> code) {
        try {
            return code.get();
        } catch (ForwardException e) {
            throw e;
        } catch (IllegalArgumentException | UnsupportedOperationException | IndexOutOfBoundsException
                 | ArithmeticException e) {
            throw new ForwardException(this, e.getMessage(), e);
        } catch (EngineException e) {
            throw ForwardException.refused(this, e);
        }
    }

    /** Runs a method of a scripted child (or of a child of a container child), as {@link #callChild} runs forward. */
    Object invokeChild(String path, String method, List<Object> args) {
        try {
            ScriptedModule child = (ScriptedModule) module(path);
            return child.guarded(() -> child.invoke(method, args));
        } catch (ForwardException e) {
            throw e.within(path);
        }
    }

    Object invoke(String method, List<Object> args) {
        return program.invoke(method, this, args);
    }

    /** Runs a child, or a child of a container child without code ({@code layer.0} of a ModuleList). */
    NDArray callChild(String path, NDArray input) {
        int dot = path.indexOf('.');
        if (dot < 0) {
            return call(path, input);
        }
        String container = path.substring(0, dot);
        try {
            return ((ScriptedModule) child(container)).callChild(path.substring(dot + 1), input);
        } catch (ForwardException e) {
            throw e.within(container);
        }
    }

    Functional functionalChild(String path) {
        int dot = path.lastIndexOf('.');
        return dot < 0 ? functional(path) : ((ScriptedModule) module(path.substring(0, dot)))
                .functional(path.substring(dot + 1));
    }

    @Override
    public String toString() {
        return CodeBase.simpleName(torchType) + namedChildren().keySet();
    }
}
