package io.qcheckpoint.pt;

/**
 * An allowlisted global that a pickle may call (REDUCE) or instantiate (NEWOBJ): a rebuild function
 * or a container class. Only entries of {@link TorchGlobals} implement it, so nothing else can run.
 */
@FunctionalInterface
interface PickleCallable {
    /**
     * Calls the global with the pickled arguments.
     *
     * @param args the argument tuple
     * @return the value built
     * @throws CheckpointException if the arguments are not what the global takes
     */
    Object call(Tuple args) throws CheckpointException;
}
