package io.qcheckpoint.cli;

import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.Modules;
import io.qcheckpoint.torchscript.TorchScriptModels;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Creates the user's model for {@code qcheckpoint run}: a public {@link Module} subclass with a
 * public no-argument constructor, found on a class path of folders and jars.
 */
final class ModelClasses {
    private ModelClasses() {
    }

    /**
     * Loads {@code className} from {@code classPath} (or this program's own class path when null)
     * and creates one instance.
     *
     * @param className the fully qualified class name
     * @param classPath folders and jars, separated by the platform's path separator, or null
     * @return the new model and the loader that holds its class (close it after the model)
     * @throws IOException if the class path has a missing entry, or the class is missing, not a
     *     public Module, has no public no-argument constructor, or its constructor fails
     */
    static Loaded create(String className, String classPath) throws IOException {
        URLClassLoader loader = new URLClassLoader(urls(classPath), ModelClasses.class.getClassLoader());
        try {
            return new Loaded(instantiate(loader, className), loader);
        } catch (IOException | RuntimeException e) {
            loader.close();
            throw e;
        }
    }

    /** A model and the loader of its class. */
    record Loaded(Module model, URLClassLoader loader) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            model.close();
            if (loader != null) {
                loader.close();
            }
        }
    }

    /**
     * Imports the model from a TorchScript file instead of a class ({@code run --torchscript}).
     *
     * @param file the archive torch.jit.save wrote
     * @return the imported model, with no class loader
     * @throws IOException if the file is missing, unsafe, or outside what the importer takes
     */
    static Loaded fromTorchScript(java.nio.file.Path file) throws IOException {
        InputFiles.requireRegularFile(file);
        return new Loaded(TorchScriptModels.load(file), null);
    }

    private static Module instantiate(ClassLoader loader, String className) throws IOException {
        try {
            return Modules.newInstance(loader, className, "--model");
        } catch (IllegalArgumentException e) {
            // for the command line a model that cannot be created is bad input, as a missing file is
            throw new IOException(e.getMessage(), e.getCause());
        }
    }

    private static URL[] urls(String classPath) throws IOException {
        List<URL> urls = new ArrayList<>();
        if (classPath == null || classPath.isEmpty()) {
            return new URL[0];
        }
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            if (!Files.exists(p)) {
                throw new NoSuchFileException(entry, null, "--classpath entry does not exist");
            }
            try {
                urls.add(p.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IOException("--classpath entry " + entry + " is not a usable path", e);
            }
        }
        return urls.toArray(URL[]::new);
    }
}
