package io.qcheckpoint;

/**
 * How {@link QuantizedModel#save(java.nio.file.Path, SaveOptions)} writes a checkpoint: an immutable
 * value whose {@code with*} methods return a changed copy; start from {@link #defaults()}.
 *
 * @param atomic whether the checkpoint replaces the old one in one rename, so that a crash leaves
 *     the old checkpoint or the new one, never part of one (the default). A file system that cannot
 *     rename a folder with its files (the JDK's zip file system, for one) refuses an atomic save;
 *     {@code false} then writes the files into the folder one by one, each file still complete or
 *     absent, but a crash can leave a mix of old and new files
 */
public record SaveOptions(boolean atomic) {
    private static final SaveOptions DEFAULTS = new SaveOptions(true);

    /** Returns the defaults: atomic. */
    public static SaveOptions defaults() {
        return DEFAULTS;
    }

    /** Returns a copy that saves atomically or not. */
    public SaveOptions withAtomic(boolean value) {
        return new SaveOptions(value);
    }
}
