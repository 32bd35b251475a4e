package io.qcheckpoint.lpot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.CheckpointNotFoundException;
import io.qcheckpoint.nn.ForwardException;
import io.qcheckpoint.nn.ModelMismatchException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One damaged checkpoint directory of the corpus (src/test/python/generate_bad_checkpoints.py, or
 * made at run time by {@link BadCheckpointsTest}), with what loading or running it must throw.
 *
 * @param name the case
 * @param base the good fixture it was derived from: {@code lpot15_static} or {@code ipex}
 * @param outcome the exception's kind: format, unsafe, mismatch, not-found, or forward (the model refused the input)
 * @param file the file name the message must name
 * @param command {@code load} (load onto the float model) or {@code run} (run {@code input.pt} in the directory)
 * @param dir the directory
 */
record BadCheckpoint(String name, String base, String outcome, String file, String command, Path dir) {
    static final Path CORPUS = Path.of("src/test/resources/fixtures/bad-checkpoints");
    static final Path IPEX = Path.of("src/test/resources/fixtures/ipex");
    static final Map<String, Class<? extends Exception>> EXCEPTIONS = Map.of("format",
            CheckpointFormatException.class, "unsafe", UnsafeCheckpointException.class, "mismatch",
            ModelMismatchException.class, "not-found", CheckpointNotFoundException.class, "forward", ForwardException.class);

    /** Reads the committed corpus's manifest. */
    static List<BadCheckpoint> committed() throws IOException {
        List<BadCheckpoint> out = new ArrayList<>();
        for (JsonNode c : new ObjectMapper().readTree(CORPUS.resolve("manifest.json").toFile())) {
            out.add(new BadCheckpoint(c.get("case").asText(), c.get("base").asText(), c.get("outcome").asText(),
                    c.get("file").asText(), c.get("command").asText(), CORPUS.resolve(c.get("case").asText())));
        }
        return out;
    }

    /** Returns the exception class the outcome names. */
    Class<? extends Exception> exception() {
        return EXCEPTIONS.get(outcome);
    }

    /** Returns the directory of the good fixture this case was derived from (fp32 weights, input). */
    Path baseDir() {
        return base.equals("ipex") ? IPEX : CheckpointsMatchLpotTest.FIXTURES.resolve(base);
    }

    /** Returns the input for {@code run}: the damaged one for run cases, the fixture's otherwise. */
    Path input() {
        return (command.equals("run") ? dir : baseDir()).resolve("input.pt");
    }

    /** Returns the model class name {@code qcheckpoint run --model} gets for the base fixture. */
    String modelClass() {
        return LpotModels.class.getName() + "$" + (base.equals("ipex") ? "IpexNet" : "FusedRefNet");
    }

    /** Returns the arguments of {@code qcheckpoint run} on this case, writing to {@code output}. */
    List<String> runArgs(Path output) {
        return List.of("run", dir.toString(), "--model", modelClass(), "--fp32-weights",
                baseDir().resolve("fp32_sd.pt").toString(), "--input", input().toString(), "--output", output.toString());
    }

    @Override
    public String toString() {
        return name;
    }
}
