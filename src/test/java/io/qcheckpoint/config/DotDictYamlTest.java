package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.qcheckpoint.pt.UnsafeCheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LPOT 1.0/1.1 and iLiT configs whose values PyYAML dumped as {@code DotDict}s
 * ({@code config_fixtures.py} writes them with real PyYAML, and what PyYAML's full loader reads back
 * as {@code *_dotdict.expected.yaml}; TuneConfigRoundTripTest checks the two read alike): the tags
 * read as plain mappings through the allowlist, {@code dictitems} only; anything that would make
 * PyYAML call into a class is refused, naming the file, line and tag.
 */
class DotDictYamlTest {
    private static final Path FIXTURES = Path.of("src/test/resources/fixtures/config");
    private static final String MARKER = "/tmp/qcheckpoint-pwned-dotdict";
    private static final String HEAD = "approach: post_training_static_quant\nframework: pytorch\n";
    private static final String OP = "op:\n  ? !!python/tuple\n  - fc\n  - Linear\n  : activation:\n      dtype: fp32\n";

    @Test
    void lpotAndIlitDotDictsReadAsTheDataPyYamlReads() throws Exception {
        for (String name : List.of("lpot_dotdict", "ilit_dotdict")) {
            String text = Files.readString(FIXTURES.resolve(name + ".yaml"));
            assertTrue(text.contains("!!python/object/new:"), name + " holds DotDict tags");
            assertEquals(TuneConfigs.readYaml(FIXTURES.resolve(name + ".expected.yaml")),
                    TuneConfigs.readYaml(FIXTURES.resolve(name + ".yaml")), name);
        }
        TuneConfig lpot = TuneConfigs.readYaml(FIXTURES.resolve("lpot_dotdict.yaml"));
        assertEquals(List.of(new OpKey("conv1", "Conv2d"), new OpKey("fc", "Linear")), List.copyOf(lpot.ops().keySet()));
        assertEquals(Map.of(), lpot.others().get("advance"), "the empty DotDict, !!python/object:...DotDict {}");
        TuneConfig ilit = TuneConfigs.readYaml(FIXTURES.resolve("ilit_dotdict.yaml"));
        assertEquals("post_training_dynamic_quant", ilit.approach(), "a whole config that is a DotDict");
        assertTrue(ilit.ops().get(new OpKey("fc2", "Linear")).isFp32());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "state|x: !!python/object/new:lpot.conf.dotdict.DotDict\\n  state: {a: 1}\\n  dictitems: {b: 2}\\n|'state'|lpot.conf.dotdict.DotDict",
        "listitems|x: !!python/object/new:lpot.conf.dotdict.DotDict\\n  listitems: [1]\\n|'listitems'|lpot.conf.dotdict.DotDict",
        "args|x: !!python/object/new:ilit.conf.dotdict.DotDict\\n  args: [{a: 1}]\\n|'args'|ilit.conf.dotdict.DotDict",
        "an extra key|x: !!python/object/new:lpot.conf.dotdict.DotDict\\n  dictitems: {b: 2}\\n  kwds: {c: 3}\\n|'kwds'|lpot.conf.dotdict.DotDict",
        "the sequence form|x: !!python/object/new:lpot.conf.dotdict.DotDict [[a, b]]\\n|mapping|lpot.conf.dotdict.DotDict",
        "instance state|x: !!python/object:lpot.conf.dotdict.DotDict {a: 1}\\n|state|!!python/object:lpot.conf.dotdict.DotDict",
        "another class|x: !!python/object/new:lpot.conf.config.Conf\\n  dictitems: {b: 2}\\n|allowlist|lpot.conf.config.Conf",
        "a look-alike|x: !!python/object/new:lpot.conf.dotdict.DotDictX\\n  dictitems: {b: 2}\\n|allowlist|DotDictX",
        "the apply form|x: !!python/object/apply:lpot.conf.dotdict.DotDict [{b: 2}]\\n|allowlist|apply:lpot.conf.dotdict.DotDict",
        "code in the items|x: !!python/object/new:lpot.conf.dotdict.DotDict\\n  dictitems:\\n    b: !!python/object/apply:os.system ['touch /tmp/qcheckpoint-pwned-dotdict']\\n|allowlist|os.system"})
    void hostileDotDictsAreRefusedNamingFileAndTag(String what, String yaml, String reason, String tag) {
        UnsafeCheckpointException e = assertThrows(UnsafeCheckpointException.class,
                () -> TuneConfigs.readYaml(HEAD + yaml.replace("\\n", "\n") + OP, "best_configure.yaml"), what);
        assertTrue(e.getMessage().startsWith("best_configure.yaml: line "), what + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(tag) && e.getMessage().contains(reason), what + ": " + e.getMessage());
        assertFalse(Files.exists(Path.of(MARKER)), "nothing ran");
    }
}
