package io.qcheckpoint.cli.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A network that {@code bench nn} can run: the generator that writes its files, and how to load it from them. */
public interface NnNetwork {
    /** Returns the name on the command line and in the tables. */
    String name();

    /**
     * Returns the generator's command line that writes this network's files into {@code dir}.
     *
     * @param dir the models folder
     * @return the script (relative to a checkout's root) and its arguments, without the interpreter
     */
    List<String> generator(String dir);

    /**
     * Returns the files of this network that are missing from {@code dir}.
     *
     * @param dir the models folder
     * @return their paths; empty when all are there
     */
    List<Path> missing(Path dir);

    /**
     * Loads the network's variants and what their outputs are checked against.
     *
     * @param dir the models folder
     * @return the loaded network; the caller closes it
     * @throws IOException if a file cannot be read or does not fit the model
     */
    NnCase load(Path dir) throws IOException;
}
