package io.qcheckpoint.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * A module could not run on its input: the input has the wrong rank, channel or feature count, or
 * dtype, or libtorch refused it. The message names the module's path in the tree (as torch's
 * {@code named_modules()} spells it, e.g. {@code layer1.0.conv1}), its type, what it expected and
 * what it got, e.g. {@code conv (quantized.ConvReLU2d): expected input [N, 3, H, W] quantized, got
 * [2, 4, 8, 8] quantized}.
 *
 * <p>Unchecked, as an {@link IllegalArgumentException}: the input is the caller's argument. A
 * module throws it about itself (path {@code ""}); {@link Module#call} adds the child's name on the
 * way up, so the path is complete when it reaches the caller of the model's forward.
 */
public class ForwardException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private static final String PACKAGE = "io.qcheckpoint.nn.";

    private final String modulePath;
    private final String moduleType;
    private final String problem;

    /**
     * Creates the exception about {@code module} itself.
     *
     * @param module the module that could not run
     * @param problem what was expected and what came, e.g. "expected input [..., 4] float32, got [2, 5] float32"
     * @param cause libtorch's failure, or null
     */
    public ForwardException(Module module, String problem, Throwable cause) {
        this("", typeName(module), problem, cause);
    }

    private ForwardException(String modulePath, String moduleType, String problem, Throwable cause) {
        super((modulePath.isEmpty() ? moduleType : modulePath + " (" + moduleType + ")") + ": " + problem, cause);
        this.modulePath = modulePath;
        this.moduleType = moduleType;
        this.problem = problem;
    }

    /**
     * Returns the exception for an input that does not fit.
     *
     * @param module the module
     * @param expected the input it takes, e.g. {@code [N, 3, H, W] float32}
     * @param actual the input it got
     * @return the exception, to throw
     */
    public static ForwardException expected(Module module, String expected, NDArray actual) {
        return new ForwardException(module, "expected input " + expected + ", got " + describe(actual), null);
    }

    /**
     * Returns the exception for a libtorch failure inside {@code module}, with libtorch's own reason
     * (the last line of its TorchScript traceback) and the failure as cause.
     *
     * @param module the module whose forward failed
     * @param e libtorch's failure
     * @return the exception, to throw
     */
    public static ForwardException refused(Module module, EngineException e) {
        return new ForwardException(module, "libtorch refused the input: " + reason(e), e);
    }

    /**
     * Returns this failure as seen from the module that holds the failed one as its child
     * {@code name}: the path gets {@code name} in front.
     *
     * @param name the child's name
     * @return a new exception with the longer path, the same problem, cause and stack trace
     */
    public ForwardException within(String name) {
        ForwardException e = new ForwardException(modulePath.isEmpty() ? name : name + "." + modulePath, moduleType,
                problem, getCause());
        e.setStackTrace(getStackTrace());
        return e;
    }

    /** Returns the dotted path of the module that failed, relative to the module forward was called on. */
    public String modulePath() {
        return modulePath;
    }

    /** Returns the failed module's type, e.g. {@code Conv2d} or {@code quantized.Linear}. */
    public String moduleType() {
        return moduleType;
    }

    /** Returns what was expected and what came, without the module's path and type. */
    public String problem() {
        return problem;
    }

    /**
     * Describes an array as the messages do: its shape in torch's brackets and its dtype, or
     * {@code quantized} for libtorch's quantized tensors (which DJL cannot name).
     *
     * @param a the array
     * @return e.g. {@code [2, 3, 8, 8] float32}
     */
    public static String describe(NDArray a) {
        return Arrays.toString(a.getShape().getShape()) + " " + dtypeName(a.getDataType());
    }

    /**
     * Names a dtype as the messages do.
     *
     * @param d a DJL dtype; {@link DataType#UNKNOWN} is how DJL sees libtorch's quantized tensors
     * @return e.g. {@code float32}, or {@code quantized}
     */
    public static String dtypeName(DataType d) {
        return d == DataType.UNKNOWN ? "quantized" : d.toString();
    }

    /** The project's module types relative to {@code io.qcheckpoint.nn} ({@code quantized.Linear}), others by torch's name. */
    private static String typeName(Module m) {
        String name = m.getClass().getName();
        return name.startsWith(PACKAGE) ? name.substring(PACKAGE.length()) : m.typeName();
    }

    /** libtorch's reason: the last {@code RuntimeError:} line of a TorchScript traceback, else the first line. */
    private static String reason(EngineException e) {
        String m = String.valueOf(e.getMessage());
        int at = m.lastIndexOf("RuntimeError: ");
        String rest = at >= 0 ? m.substring(at + "RuntimeError: ".length()) : m;
        int end = rest.indexOf('\n');
        return (end >= 0 ? rest.substring(0, end) : rest).strip();
    }
}
