package io.qcheckpoint.lpot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** LPOT's VNNI check (CPUID 7.0 ECX bit 11, which Linux reports as the avx512_vnni flag) and the REDUCE_RANGE it gives. */
class CpuInfoTest {
    @Test
    void theAvx512VnniFlagOfTheFirstProcessorDecides() {
        assertTrue(CpuInfo.vnni("processor\t: 0\nflags\t\t: fpu sse2 avx512f avx512_vnni avx_vnni\n\nprocessor\t: 1\n"));
        // AVX-VNNI (CPUID 7.1 EAX bit 4) is another bit, which LPOT does not look at
        assertFalse(CpuInfo.vnni("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx_vnni\n"));
        assertFalse(CpuInfo.vnni("processor\t: 0\nflags\t\t: fpu avx512_vnnix\n"));
        assertFalse(CpuInfo.vnni("processor\t: 0\nvmx flags\t: avx512_vnni\n"));
        assertFalse(CpuInfo.vnni(""), "no /proc/cpuinfo: no VNNI known");
    }

    @Test
    void reduceRangeIsLpotsOnThisCpu() throws Exception {
        Path proc = Path.of("/proc/cpuinfo");
        boolean vnni = Files.isReadable(proc) && CpuInfo.vnni(Files.readString(proc));
        assertEquals(vnni, CpuInfo.vnni());
        assertEquals(!vnni, CpuInfo.lpotReduceRange());
    }
}
