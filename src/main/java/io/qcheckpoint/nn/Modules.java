package io.qcheckpoint.nn;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;

/**
 * Creates a user's float model from its class name: a public, concrete {@link Module} subclass with
 * a public no-argument constructor, as the command line's {@code --model} and DJL's criteria name it.
 */
public final class Modules {
    private Modules() {
    }

    /**
     * Finds {@code className} in {@code loader} and creates one instance.
     *
     * @param loader the class loader to find the class in
     * @param className the fully qualified class name
     * @param argument what the caller calls the name (e.g. {@code --model}), to start the messages with
     * @return the new module, owned by the caller
     * @throws IllegalArgumentException naming {@code argument} and the class, if the class is missing,
     *     not a public concrete Module, has no public no-argument constructor, or its constructor fails
     *     (the constructor's exception is the cause)
     */
    public static Module newInstance(ClassLoader loader, String className, String argument) {
        String name = argument + " " + className + ": ";
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException(name + "class not found on the class path (" + e + ")", e);
        }
        if (!Module.class.isAssignableFrom(c) || !Modifier.isPublic(c.getModifiers()) || Modifier.isAbstract(c.getModifiers())) {
            throw new IllegalArgumentException(name + "not a public, concrete subclass of " + Module.class.getName());
        }
        try {
            return (Module) c.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(name + "has no public no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(name + "its constructor failed: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException(name + "cannot be created: " + e, e);
        }
    }
}
