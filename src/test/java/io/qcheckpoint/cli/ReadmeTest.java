package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.TorchOutputs;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps README.md honest: its Java quickstarts compile against the real API, the first one runs as
 * written on the example it names and gives PyTorch's output, its commands exist and work.
 */
class ReadmeTest {
    private static final Path README = Path.of("README.md");
    /** The serving example: LPOT v1.5's checkpoint with its model's source and float weights. */
    static final Path EXAMPLE = Path.of("examples/serve-lpot-checkpoint");
    /** The fixture the example's files are copies of. */
    private static final Path FIXTURE = Path.of("src/test/resources/fixtures/lpot/lpot15_static");

    @TempDir
    Path dir;

    @Test
    void quickstartsCompile() throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        int blocks = 0;
        while (m.find()) {
            Matcher name = Pattern.compile("public class (\\w+)").matcher(m.group(1));
            assertTrue(name.find(), "a ```java block declares a public class");
            // the serving quickstart uses the example's model, which a user compiles beside it
            compiles(dir, Files.writeString(dir.resolve(name.group(1) + ".java"), m.group(1)), EXAMPLE.resolve("RefNet.java"));
            blocks++;
        }
        assertEquals(5, blocks, "README.md has the five quickstarts");
    }

    @Test
    void theDemoIsTheFirstCommandAndTheExamplesCompile() throws IOException {
        String readme = Files.readString(README);
        Matcher first = Pattern.compile("\n```\n(.*?)\n```\n", Pattern.DOTALL).matcher(readme);
        assertTrue(first.find());
        assertEquals("bin/qcheckpoint demo", first.group(1));
        assertTrue(List.of(Main.class.getAnnotation(picocli.CommandLine.Command.class).subcommands())
                .contains(DemoCommand.class), "demo is a subcommand");
        for (String example : List.of("serve-lpot-checkpoint/ServeLpotCheckpoint.java", "resnet-ptq/ResNetPtq.java",
                "serve-http/ServeHttp.java")) {
            Path src = Path.of("examples", example);
            try (Stream<Path> sources = Files.list(src.getParent())) {
                compiles(dir, sources.filter(f -> f.toString().endsWith(".java")).toArray(Path[]::new));
            }
            Path run = src.resolveSibling("run");
            assertTrue(Files.isExecutable(run), run + " is executable");
            assertTrue(readme.contains("`" + run.toString().replace('\\', '/') + "`"), "README names " + run);
        }
    }

    @Test
    void theServingQuickstartRunsAsWrittenAndGivesPytorchsOutput() throws Exception {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        assertTrue(m.find());
        assertTrue(m.group(1).contains("public class Quickstart"), "the first quickstart serves the example");
        assertTrue(m.group(1).contains("Path.of(\"" + EXAMPLE.toString().replace('\\', '/') + "\")"), "it names the example");
        compiles(dir, Files.writeString(dir.resolve("Quickstart.java"), m.group(1)), EXAMPLE.resolve("RefNet.java"));
        float[] actual;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
            Method serve = loader.loadClass("Quickstart").getDeclaredMethod("serve", Path.class);
            serve.setAccessible(true);
            actual = (float[]) serve.invoke(null, EXAMPLE);
        }
        assertTorchsOutput(actual);
    }

    /** The quickstart without a TorchScript file, as written: RefNet and its float weights. */
    @Test
    void theModuleQuickstartRunsAsWrittenAndGivesPytorchsOutput() throws Exception {
        compileReadmeClass("ModuleQuickstart");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
             ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            Method load = loader.loadClass("ModuleQuickstart").getDeclaredMethod("load", Path.class);
            load.setAccessible(true);
            try (QuantizedModel<?> int8 = (QuantizedModel<?>) load.invoke(null, EXAMPLE)) {
                Tensor input = (Tensor) TorchFiles.read(EXAMPLE.resolve("input.pt")).root();
                assertTorchsOutput(int8.forward(io.qcheckpoint.kernels.TensorArrays.toNDArray(manager, input))
                        .toFloatArray());
            }
        }
    }

    /** The DJL quickstart, as written, through Criteria: the float model from the example's TorchScript file. */
    @Test
    void theDjlQuickstartRunsAsWrittenAndGivesPytorchsOutput() throws Exception {
        compileReadmeClass("DjlQuickstart");
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
             ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            thread.setContextClassLoader(loader);
            Method predict = loader.loadClass("DjlQuickstart").getDeclaredMethod("predict", ai.djl.ndarray.NDList.class);
            predict.setAccessible(true);
            Tensor input = (Tensor) TorchFiles.read(EXAMPLE.resolve("input.pt")).root();
            ai.djl.ndarray.NDList out = (ai.djl.ndarray.NDList) predict.invoke(null,
                    new ai.djl.ndarray.NDList(io.qcheckpoint.kernels.TensorArrays.toNDArray(manager, input)));
            assertTorchsOutput(out.head().toFloatArray());
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** Both run commands for the example: with its TorchScript file, and with RefNet and its float weights. */
    @Test
    void theRunCommandsForTheExampleWorkAsWritten() throws Exception {
        List<String> lines = Files.readAllLines(README);
        String start = "bin/qcheckpoint run " + EXAMPLE.toString().replace('\\', '/') + "/checkpoint ";
        Path classes = compileExampleModel(Files.createDirectory(dir.resolve("classes")));
        Set<String> models = new HashSet<>();
        for (int at = 0; at < lines.size(); at++) {
            if (!lines.get(at).startsWith(start)) {
                continue;
            }
            StringBuilder command = new StringBuilder(lines.get(at));
            while (command.toString().endsWith("\\")) {
                command.setLength(command.length() - 1);
                command.append(' ').append(lines.get(++at));
            }
            List<String> args = new ArrayList<>(List.of(command.toString().trim().split("\\s+")));
            assertEquals(List.of("bin/qcheckpoint", "run"), args.subList(0, 2));
            // the classes go where the example's run script compiles them; the output into the test's folder
            if (args.contains("--classpath")) {
                args.set(args.indexOf("--classpath") + 1, classes.toString());
            }
            Path out = dir.resolve("out.pt");
            args.set(args.indexOf("--output") + 1, out.toString());
            Cli.Result r = Cli.run(args.subList(1, args.size()).toArray());
            assertEquals(Main.EXIT_OK, r.exitCode(), r::toString);
            assertTorchsOutput(((Tensor) TorchFiles.read(out).root()).toFloatArray());
            models.add(args.contains("--torchscript") ? "--torchscript" : args.contains("--model") ? "--model" : "?");
        }
        assertEquals(Set.of("--torchscript", "--model"), models, "README shows the run command both ways");
    }

    @Test
    void theExamplesFilesAreLpotsAsCommitted() throws IOException {
        // copies of the fixture that lpot_models.py checks against LPOT's load: same bytes, same provenance
        for (String[] pair : new String[][] {{"checkpoint/best_configure.yaml", "best_configure.yaml"},
            {"checkpoint/best_model_weights.pt", "best_model_weights.pt"}, {"fp32_weights.pt", "fp32_sd.pt"},
            {"input.pt", "input.pt"}, {"output.pt", "output.pt"}}) {
            assertArrayEquals(Files.readAllBytes(FIXTURE.resolve(pair[1])), Files.readAllBytes(EXAMPLE.resolve(pair[0])),
                    pair[0]);
        }
        // torchscript_fixtures.py traces RefNet with those float weights (FixturesComeFromTorchTest regenerates it)
        assertArrayEquals(Files.readAllBytes(Path.of("src/test/resources/fixtures/torchscript/refnet_trace.pt")),
                Files.readAllBytes(EXAMPLE.resolve("fp32.pt")), "fp32.pt");
        assertArrayEquals(Files.readAllBytes(Path.of("src/test/resources/fixtures/reference/lpot-v1.5/"
                + "post_training_static_quant.best_model_weights.pt")),
                Files.readAllBytes(EXAMPLE.resolve("checkpoint/best_model_weights.pt")), "LPOT v1.5 wrote it");
    }

    /**
     * Within one output quantization step of what PyTorch computes for the example's input (the
     * example's files are the lpot15_static fixture's, see {@link TorchOutputs} for why on this machine).
     */
    private static void assertTorchsOutput(float[] actual) throws IOException, InterruptedException {
        double step = new ObjectMapper().readTree(FIXTURE.resolve("case.json").toFile()).get("output_scale").asDouble();
        TorchOutputs.lpot(FIXTURE.getFileName().toString()).assertWithinOneStep(actual, step, "the example");
    }

    /** Compiles the README's ```java block that declares {@code className}, with the example's model, into dir. */
    private void compileReadmeClass(String className) throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        String source = null;
        while (source == null && m.find()) {
            source = m.group(1).contains("public class " + className) ? m.group(1) : null;
        }
        assertTrue(source != null, "README has the quickstart " + className);
        compiles(dir, Files.writeString(dir.resolve(className + ".java"), source), EXAMPLE.resolve("RefNet.java"));
    }

    /**
     * Compiles the example's model, {@code RefNet.java}, as its run script does.
     *
     * @param classes the output folder
     * @return {@code classes}
     */
    static Path compileExampleModel(Path classes) {
        compiles(classes, EXAMPLE.resolve("RefNet.java"));
        return classes;
    }

    static void compiles(Path out, Path... sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        List<java.io.File> files = Arrays.stream(sources).map(Path::toFile).toList();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(), "-Xlint:none"),
                null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(files.toArray(java.io.File[]::new)))
                .call();
        assertTrue(ok, () -> Arrays.toString(sources) + " does not compile:\n" + messages);
    }

    @Test
    void readmeAndCiRunTheSameTestCommand() throws IOException {
        String readme = Files.readString(README);
        assertTrue(readme.contains("\n```\nmvn -B verify\n```\n"), "README gives the test command");
        List<String> ci = Files.readAllLines(Path.of(".ci/run")).stream()
                .filter(l -> l.startsWith("mvn ")).toList();
        assertEquals(List.of("mvn -B verify"), ci);
    }

    @Test
    void readmeExampleFileExistsAndInspects() throws IOException {
        String readme = Files.readString(README);
        assertTrue(readme.contains("bin/qcheckpoint inspect " + Cli.LPOT_STATIC.toString().replace('\\', '/')));
        assertEquals(Main.EXIT_OK, Cli.run("inspect", Cli.LPOT_STATIC).exitCode());
    }
}
