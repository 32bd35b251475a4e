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
    void quickstartCompiles() throws IOException {
        Matcher m = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        assertTrue(m.find(), "README.md has a ```java block");
        Path src = Files.writeString(dir.resolve("Quickstart.java"), m.group(1));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-classpath", Path.of("target/classes").toString(), "-d", dir.toString(), "-Xlint:none"),
                null, javac.getStandardFileManager(null, null, null).getJavaFileObjects(src.toFile())).call();
        assertTrue(ok, () -> "README quickstart does not compile:\n" + messages);
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
