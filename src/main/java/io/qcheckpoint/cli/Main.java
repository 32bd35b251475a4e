package io.qcheckpoint.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code qcheckpoint} command: the jar's main class and the parent of every subcommand.
 *
 * <p>To add a subcommand, write a {@code @Command} class that implements {@code Callable<Integer>}
 * (with {@code mixinStandardHelpOptions = true}, printing to {@code spec.commandLine().getOut()})
 * and list it in {@code subcommands} below. Commands report bad input by throwing an
 * {@link IOException} (the project's {@link io.qcheckpoint.pt.CheckpointException}s are ones):
 * {@code Main} prints {@code qcheckpoint: <message>} and exits {@value #EXIT_BAD_INPUT}.
 */
@Command(name = "qcheckpoint", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Tunes, inspects, copies and runs LPOT / Neural Compressor int8 checkpoints (torch.save files).",
        subcommands = {DemoCommand.class, InspectCommand.class, CopyCommand.class, RunCommand.class, BenchCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a check failed", "2:bad input or usage (the message says which)",
            "3:internal error (a bug; the stack trace is printed)"})
public final class Main implements Callable<Integer> {
    /** Exit code: the command did what it was asked. */
    public static final int EXIT_OK = 0;
    /** Exit code: the command ran, and a check it made failed (for example a comparison). */
    public static final int EXIT_CHECK_FAILED = 1;
    /** Exit code: bad usage, or an input that cannot be used (missing, unreadable, corrupt, unsafe). */
    public static final int EXIT_BAD_INPUT = 2;
    /** Exit code: an unexpected exception, which is a bug in QCheckpoint. */
    public static final int EXIT_INTERNAL_ERROR = 3;

    private static final String NAME = "qcheckpoint";

    @Spec
    private CommandSpec spec;

    /** Creates the command; picocli calls this. */
    public Main() {
    }

    /**
     * Runs without a subcommand, which is a usage error.
     *
     * @return never returns normally
     * @throws ParameterException always
     */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing command; choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /**
     * Runs the command line and exits the JVM with its exit code.
     *
     * @param args the arguments
     */
    public static void main(String... args) {
        Charset cs = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, cs), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, cs), true);
        System.exit(run(out, err, args));
    }

    /**
     * Runs the command line in-process, writing to the given streams, and returns the exit code
     * instead of exiting. Both writers are flushed before it returns.
     *
     * @param out where commands print their results
     * @param err where usage and error messages go
     * @param args the arguments
     * @return the exit code: {@value #EXIT_OK}, {@value #EXIT_CHECK_FAILED}, {@value #EXIT_BAD_INPUT}
     *     or {@value #EXIT_INTERNAL_ERROR}
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        try {
            return commandLine(out, err).execute(args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    /**
     * Builds the command line with its subcommands, streams and error handling, ready to
     * {@code execute}.
     *
     * @param out where commands print their results
     * @param err where usage and error messages go
     * @return the configured command line
     */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler(Main::executionError);
        return cl;
    }

    /** One line with the problem and a pointer to help, rather than the full usage text. */
    private static int usageError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(NAME + ": " + ex.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
        return EXIT_BAD_INPUT;
    }

    private static int executionError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        Throwable t = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        if (t instanceof IOException io) {
            err.println(NAME + ": " + describe(io));
            return EXIT_BAD_INPUT;
        }
        err.println(NAME + ": internal error, please report it: " + t);
        t.printStackTrace(err);
        return EXIT_INTERNAL_ERROR;
    }

    /**
     * Says what went wrong in one line. The JDK's file exceptions often carry only the path, so
     * they get the reason spelt out.
     *
     * @param e the failure
     * @return the message, without the {@code qcheckpoint: } prefix
     */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f && f.getReason() == null) {
            return f.getFile() + ": no such file";
        }
        if (e instanceof AccessDeniedException f && f.getReason() == null) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() == null && f.getFile() != null) {
            return f.getFile() + ": " + e.getClass().getSimpleName().replace("Exception", "");
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }

    /** Reads the version from the Maven metadata that the jar carries. */
    static final class Version implements CommandLine.IVersionProvider {
        private static final String POM_PROPERTIES = "/META-INF/maven/io.qcheckpoint/qcheckpoint/pom.properties";

        @Override
        public String[] getVersion() throws IOException {
            String version = null;
            try (InputStream in = Main.class.getResourceAsStream(POM_PROPERTIES)) {
                if (in != null) {
                    Properties p = new Properties();
                    p.load(in);
                    version = p.getProperty("version");
                }
            }
            // Running from target/classes (tests, IDEs) there is no jar metadata.
            return new String[] {NAME + " " + (version == null ? "(development build)" : version)};
        }
    }
}
