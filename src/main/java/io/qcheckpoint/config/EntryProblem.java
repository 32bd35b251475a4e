package io.qcheckpoint.config;

/**
 * What is wrong with one entry of a config mapping, found by the records' shared checks, so that
 * a record constructor can throw it plainly and a reader can add the file, line and key path.
 *
 * @param key the offending key (the key the mapping lacks, when one is missing)
 * @param message what was expected and found, without the key
 */
record EntryProblem(Object key, String message) {
    /** Returns {@code key: message}. */
    @Override
    public String toString() {
        return key + ": " + message;
    }
}
