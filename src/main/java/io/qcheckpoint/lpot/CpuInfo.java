package io.qcheckpoint.lpot;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The CPU feature LPOT 1.x looks at, as its {@code lpot.utils.utility.CpuInfo}: AVX-512 VNNI
 * (CPUID leaf 7, subleaf 0, ECX bit 11), which decides LPOT's {@code REDUCE_RANGE}. Read from the
 * {@code avx512_vnni} flag of Linux's {@code /proc/cpuinfo}, the kernel's report of that bit; where
 * the file cannot be read (another OS), VNNI counts as absent.
 */
public final class CpuInfo {
    private static final Path PROC_CPUINFO = Path.of("/proc/cpuinfo");
    private static final String VNNI_FLAG = "avx512_vnni";

    /** Read once: the CPU does not change under a running process. */
    private static final class Holder {
        static final boolean VNNI = vnni(read());
    }

    private CpuInfo() {
    }

    /** Returns whether this CPU has AVX-512 VNNI, as LPOT's {@code CpuInfo().vnni}. */
    public static boolean vnni() {
        return Holder.VNNI;
    }

    /**
     * Returns LPOT's {@code REDUCE_RANGE} on this CPU: {@code False if CpuInfo().vnni else True}.
     * With it, LPOT's asymmetric activation observers quantize to 7 bits (quint8 0..127), which
     * roughly doubles the scales they write.
     */
    public static boolean lpotReduceRange() {
        return !vnni();
    }

    /**
     * Returns whether {@code /proc/cpuinfo} text lists the {@code avx512_vnni} flag for its first
     * processor.
     *
     * @param procCpuinfo the file's text; empty when it could not be read
     * @return whether the flag is there
     */
    static boolean vnni(String procCpuinfo) {
        for (String line : procCpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
                return Arrays.asList(line.substring(colon + 1).trim().split("\\s+")).contains(VNNI_FLAG);
            }
        }
        return false;
    }

    private static String read() {
        try {
            return Files.readString(PROC_CPUINFO, StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
