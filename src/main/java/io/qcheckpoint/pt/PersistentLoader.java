package io.qcheckpoint.pt;

/** Resolves a pickle's persistent ids; torch files use them for storages only. */
@FunctionalInterface
interface PersistentLoader {
    /**
     * Returns the object a persistent id names.
     *
     * @param pid the id, as unpickled
     * @return the object
     * @throws CheckpointException if the id names no storage of this file
     */
    Object load(Object pid) throws CheckpointException;
}
