package io.qcheckpoint.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Keeps the Java in docs/*.md honest: every {@code ```java} block compiles against the real API.
 * A block that declares a class is a source file; any other block is the body of a method, whose
 * imports are the block's own plus the library's packages, and whose free variables an HTML comment
 * just above the block declares, e.g. {@code <!-- java-context: Module fp32Model; Path dir -->}.
 * The blocks of one page compile together, so a later block may use an earlier block's class.
 */
class DocSnippetsTest {
    private static final Pattern BLOCK = Pattern.compile("(?:<!-- java-context: (.*?) -->\\n)?```java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern CLASS = Pattern.compile("^(?:public )?(?:final )?class (\\w+)", Pattern.MULTILINE);
    private static final List<String> IMPORTS = List.of("io.qcheckpoint.*", "io.qcheckpoint.config.*",
            "io.qcheckpoint.kernels.*", "io.qcheckpoint.lpot.*", "io.qcheckpoint.nn.*", "io.qcheckpoint.pt.*",
            "io.qcheckpoint.quantization.*", "io.qcheckpoint.tuning.*", "io.qcheckpoint.nn.Module", "java.util.*",
            "java.nio.*", "java.nio.file.Path", "java.time.*", "ai.djl.ndarray.*", "ai.djl.ndarray.types.*",
            "ai.djl.training.dataset.Dataset", "io.qcheckpoint.djl.*", "ai.djl.Model", "ai.djl.inference.Predictor",
            "ai.djl.modality.Classifications", "ai.djl.modality.cv.Image", "ai.djl.modality.cv.transform.ToTensor",
            "ai.djl.modality.cv.translator.ImageClassificationTranslator", "ai.djl.repository.zoo.*",
            "ai.djl.translate.Translator", "io.qcheckpoint.torchscript.*");

    @TempDir
    Path dir;

    static Stream<Path> pages() throws IOException {
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            List<Path> withJava = new ArrayList<>();
            for (Path p : docs.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
                if (Files.readString(p).contains("```java")) {
                    withJava.add(p);
                }
            }
            return withJava.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("pages")
    void everyJavaBlockCompiles(Path page) throws IOException {
        Matcher m = BLOCK.matcher(Files.readString(page));
        List<Path> sources = new ArrayList<>();
        while (m.find()) {
            String name = "Snippet" + sources.size();
            Matcher cls = CLASS.matcher(m.group(2));
            boolean declaresClass = cls.find();
            String source = declaresClass ? classFile(m.group(2)) : methodFile(name, m.group(1), m.group(2));
            sources.add(Files.writeString(dir.resolve((declaresClass ? cls.group(1) : name) + ".java"), source));
        }
        assertTrue(!sources.isEmpty(), page + " has ```java blocks");
        ReadmeTest.compiles(dir, sources.toArray(Path[]::new));
    }

    private static String classFile(String block) {
        return imports(List.of()) + block;
    }

    private static String methodFile(String name, String context, String block) {
        List<String> own = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        for (String line : block.split("\n")) {
            if (line.startsWith("import ")) {
                own.add(line.substring("import ".length(), line.length() - 1));
            } else {
                body.append("        ").append(line).append('\n');
            }
        }
        String params = context == null ? "" : String.join(", ", context.trim().split("\\s*;\\s*"));
        return imports(own) + "class " + name + " {\n    void run(" + params + ") throws Exception {\n" + body
                + "    }\n}\n";
    }

    private static String imports(List<String> own) {
        StringBuilder out = new StringBuilder();
        Stream.concat(IMPORTS.stream(), own.stream()).distinct().forEach(i -> out.append("import ").append(i).append(";\n"));
        return out.toString();
    }
}
