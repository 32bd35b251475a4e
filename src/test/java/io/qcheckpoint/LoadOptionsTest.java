package io.qcheckpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link LoadOptions}: each {@code with*} changes its own field only, and bad values are refused. */
class LoadOptionsTest {
    @Test
    void loadThreadsDefaultToZeroAndKeepTheOtherFields() {
        assertEquals(0, LoadOptions.defaults().loadThreads(), "0: LoadThreads' default, resolved at load time");
        LoadOptions o = LoadOptions.defaults().withStrict(false).withFormat(CheckpointFormat.EAGER_YAML).withLoadThreads(3);
        assertEquals(new LoadOptions(CheckpointFormat.EAGER_YAML, false, null, 3), o);
        assertEquals(new LoadOptions(CheckpointFormat.EAGER_YAML, true, null, 3), o.withStrict(true));
    }

    @Test
    void refusesThreadCountsBelowOne() {
        for (int n : new int[] {0, -1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> LoadOptions.defaults().withLoadThreads(n));
            assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new LoadOptions(null, true, null, -1));
    }
}
