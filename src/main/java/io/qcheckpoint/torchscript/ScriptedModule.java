package io.qcheckpoint.torchscript;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.Functional;
import io.qcheckpoint.nn.Module;
import java.util.List;

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
     * @throws ForwardException if a child, or an operation of the code, cannot run on what it gets
     */
    @Override
    public NDArray forward(NDArray input) {
        try {
            return Values.tensor(invoke("forward", List.of(input)));
        } catch (ForwardException e) {
            throw e;
        } catch (IllegalArgumentException | UnsupportedOperationException | IndexOutOfBoundsException
                 | ArithmeticException e) {
            // an operation of the code refused what it got: name this module, as a child's failure would be
            throw new ForwardException(this, e.getMessage(), e);
        } catch (EngineException e) {
            throw ForwardException.refused(this, e);
        }
    }

    Object invoke(String method, List<Object> args) {
        return program.invoke(method, this, args);
    }

    NDArray callChild(String name, NDArray input) {
        return call(name, input);
    }

    Functional functionalChild(String name) {
        return functional(name);
    }

    Module childModule(String name) {
        return child(name);
    }

    @Override
    public String toString() {
        return CodeBase.simpleName(torchType) + namedChildren().keySet();
    }
}
