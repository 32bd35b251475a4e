package io.qcheckpoint.torchscript;

import io.qcheckpoint.pt.CheckpointFormatException;

/**
 * A TorchScript archive whose code this importer cannot take: a statement, operation or construct
 * outside its tables, or a traced file where a stub's input cannot be known. Thrown when the file
 * is imported, never at forward time; the message names the code file, the line, the class and
 * what was refused.
 */
public class UnsupportedScriptException extends CheckpointFormatException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file the archive
     * @param where the code file and line, e.g. {@code code/__torch__/m.py line 12}
     * @param className the qualified name of the class whose code was refused
     * @param reason what was refused and why
     */
    public UnsupportedScriptException(String file, String where, String className, String reason) {
        super(file, where + ": class " + className + ": " + reason);
    }
}
