package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps README.md honest: its Java quickstart compiles against the real API, its commands exist. */
class ReadmeTest {
    private static final Path README = Path.of("README.md");

    @TempDir
    Path dir;

    @Test
    void quickstartsCompile() throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        int blocks = 0;
        while (m.find()) {
            Matcher name = Pattern.compile("public class (\\w+)").matcher(m.group(1));
            assertTrue(name.find(), "a ```java block declares a public class");
            compiles(Files.writeString(dir.resolve(name.group(1) + ".java"), m.group(1)));
            blocks++;
        }
        assertEquals(3, blocks, "README.md has the three quickstarts");
    }

    @Test
    void theDemoIsTheFirstCommandAndTheExamplesCompile() throws IOException {
        String readme = Files.readString(README);
        Matcher first = Pattern.compile("\n```\n(.*?)\n```\n", Pattern.DOTALL).matcher(readme);
        assertTrue(first.find());
        assertEquals("bin/qcheckpoint demo", first.group(1));
        assertTrue(List.of(Main.class.getAnnotation(picocli.CommandLine.Command.class).subcommands())
                .contains(DemoCommand.class), "demo is a subcommand");
        for (String example : List.of("serve-lpot-checkpoint/ServeLpotCheckpoint.java", "resnet-ptq/ResNetPtq.java")) {
            Path src = Path.of("examples", example);
            compiles(src);
            Path run = src.resolveSibling("run");
            assertTrue(Files.isExecutable(run), run + " is executable");
            assertTrue(readme.contains("`" + run.toString().replace('\\', '/') + "`"), "README names " + run);
        }
    }

    private void compiles(Path src) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-classpath", System.getProperty("java.class.path"), "-d", dir.toString(), "-Xlint:none"),
                null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(src.toFile())).call();
        assertTrue(ok, () -> src + " does not compile:\n" + messages);
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
