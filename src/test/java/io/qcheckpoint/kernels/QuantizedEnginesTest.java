package io.qcheckpoint.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.NativeLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The int8 engine selection: libtorch 2.7.1's exports, get/set/supported, refusals; each test restores the engine. */
class QuantizedEnginesTest {
    @Test
    void theMangledExportsAreLibtorchsOwn() throws Exception {
        // Pinned: the Itanium names of at::globalContext(), Context::qEngine() const, setQEngine(c10::QEngine),
        // supportedQEngines() in libtorch 2.7.1 (nm -D --defined-only libtorch_cpu.so).
        assertEquals("_ZN2at13globalContextEv", QuantizedEngines.GLOBAL_CONTEXT);
        assertEquals("_ZNK2at7Context7qEngineEv", QuantizedEngines.Q_ENGINE);
        assertEquals("_ZN2at7Context10setQEngineEN3c107QEngineE", QuantizedEngines.SET_Q_ENGINE);
        assertEquals("_ZN2at7Context17supportedQEnginesEv", QuantizedEngines.SUPPORTED_Q_ENGINES);
        QuantizedEngines.get(); // loads libtorch and looks the functions up
        Path lib = Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.endsWith("/libtorch_cpu.so"))
                .map(l -> Path.of(l.substring(l.indexOf('/')))).findFirst().orElseThrow();
        NativeLibrary nl = NativeLibrary.getInstance(lib.toString());
        for (String s : List.of(QuantizedEngines.GLOBAL_CONTEXT, QuantizedEngines.Q_ENGINE,
                QuantizedEngines.SET_Q_ENGINE, QuantizedEngines.SUPPORTED_Q_ENGINES)) {
            nl.getFunction(s);
        }
        assertThrows(UnsatisfiedLinkError.class, () -> nl.getFunction("_ZN2at7Context10setQEngineEi"));
    }

    @Test
    void enumValuesAreC10s() {
        // c10/core/QEngine.h: NoQEngine = 0, FBGEMM = 1, QNNPACK = 2, ONEDNN = 3, X86 = 4
        assertEquals(List.of(0, 1, 2, 3, 4), List.of(QuantizedEngine.NONE.code(), QuantizedEngine.FBGEMM.code(),
                QuantizedEngine.QNNPACK.code(), QuantizedEngine.ONEDNN.code(), QuantizedEngine.X86.code()));
        assertEquals(QuantizedEngine.ONEDNN, QuantizedEngine.of("oneDNN"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> QuantizedEngine.of("mkldnn")).getMessage()
                .contains("x86"));
    }

    @Test
    void setsAndReadsBackEverySupportedEngine() {
        List<QuantizedEngine> supported = QuantizedEngines.supported();
        // libtorch 2.7.1 for x86 is built with qnnpack and oneDNN everywhere, fbgemm/x86 where the CPU has AVX2
        assertTrue(supported.containsAll(List.of(QuantizedEngine.QNNPACK, QuantizedEngine.ONEDNN)), supported.toString());
        assertFalse(supported.contains(QuantizedEngine.NONE));
        QuantizedEngine before = QuantizedEngines.get();
        assertTrue(supported.contains(before), before + " not in " + supported);
        try {
            for (QuantizedEngine e : supported) {
                QuantizedEngines.set(e);
                assertEquals(e, QuantizedEngines.get());
            }
        } finally {
            QuantizedEngines.set(before);
        }
        assertEquals(before, QuantizedEngines.get());
    }

    @Test
    void refusesAnUnsupportedEngineAndKeepsTheCurrentOne() {
        QuantizedEngine before = QuantizedEngines.get();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantizedEngines.set(QuantizedEngine.NONE));
        assertTrue(e.getMessage().contains("none is not supported") && e.getMessage().contains("qnnpack"), e.getMessage());
        assertEquals(before, QuantizedEngines.get());
    }
}
