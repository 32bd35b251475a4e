package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** libtorch's thread settings through {@link TorchThreads}; each test restores what it changes. */
class TorchThreadsTest {
    @Test
    void setsAndReadsBackIntraOpThreads() {
        int before = TorchThreads.intraOp();
        try {
            TorchThreads.setIntraOp(1);
            assertEquals(1, TorchThreads.intraOp());
            TorchThreads.setIntraOp(3);
            assertEquals(3, TorchThreads.intraOp());
        } finally {
            TorchThreads.setIntraOp(before);
        }
        assertEquals(before, TorchThreads.intraOp());
    }

    @Test
    void refusesZeroAndNegativeCounts() {
        int intra = TorchThreads.intraOp();
        int inter = TorchThreads.interOp();
        for (int n : new int[] {0, -1}) {
            assertThrows(IllegalArgumentException.class, () -> TorchThreads.setIntraOp(n));
            assertThrows(IllegalArgumentException.class, () -> TorchThreads.setInterOp(n));
        }
        assertEquals(intra, TorchThreads.intraOp());
        assertEquals(inter, TorchThreads.interOp());
    }

    @Test
    void interOpThreadsCanBeSetOnlyOnce() {
        int current = TorchThreads.interOp();
        assertTrue(current >= 1);
        try {
            TorchThreads.setInterOp(current); // the first setting in this JVM, unless inter-op work has started
        } catch (IllegalStateException alreadyStarted) {
            // fine: the second call below must fail either way
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TorchThreads.setInterOp(current));
        assertTrue(e.getMessage().contains("only once"), e.getMessage());
        assertEquals(current, TorchThreads.interOp());
    }
}
