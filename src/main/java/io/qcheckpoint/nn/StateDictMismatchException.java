package io.qcheckpoint.nn;

import io.qcheckpoint.pt.CheckpointException;
import java.util.List;

/**
 * A state dict does not fit a module tree: keys the tree lacks, keys the state dict lacks, or
 * values of the wrong shape or type. Nothing was loaded when this is thrown.
 */
public class StateDictMismatchException extends CheckpointException {
    private static final long serialVersionUID = 1L;

    private final transient List<String> missingKeys;
    private final transient List<String> unexpectedKeys;
    private final transient List<String> errors;

    /**
     * Creates the exception from the three lists torch reports.
     *
     * @param missingKeys keys the module tree has and the state dict lacks
     * @param unexpectedKeys keys the state dict has and the module tree lacks
     * @param errors other problems, one sentence each, naming the key
     */
    public StateDictMismatchException(List<String> missingKeys, List<String> unexpectedKeys, List<String> errors) {
        super(message(missingKeys, unexpectedKeys, errors));
        this.missingKeys = List.copyOf(missingKeys);
        this.unexpectedKeys = List.copyOf(unexpectedKeys);
        this.errors = List.copyOf(errors);
    }

    /** Returns the keys the module tree has and the state dict lacks. */
    public List<String> missingKeys() {
        return missingKeys;
    }

    /** Returns the keys the state dict has and the module tree lacks. */
    public List<String> unexpectedKeys() {
        return unexpectedKeys;
    }

    /** Returns the other problems, one sentence each. */
    public List<String> errors() {
        return errors;
    }

    private static String message(List<String> missing, List<String> unexpected, List<String> errors) {
        StringBuilder b = new StringBuilder("state dict does not fit the module tree");
        if (!missing.isEmpty()) {
            b.append("; missing keys: ").append(String.join(", ", missing));
        }
        if (!unexpected.isEmpty()) {
            b.append("; unexpected keys: ").append(String.join(", ", unexpected));
        }
        for (String e : errors) {
            b.append("; ").append(e);
        }
        return b.toString();
    }
}
