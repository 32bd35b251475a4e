package io.qcheckpoint.kernels;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * libtorch's int8 engines ({@code c10::QEngine}), named as {@code torch.backends.quantized.engine}
 * names them. Numbers differ between engines in the last step of some requantizations, and packed
 * weights belong to the engine they were packed under.
 */
public enum QuantizedEngine {
    /** No engine ({@code c10::QEngine::NoQEngine}); quantized ops fail under it. */
    NONE("none", 0),
    /** Meta's fbgemm ({@code FBGEMM}), x86 only. */
    FBGEMM("fbgemm", 1),
    /** QNNPACK ({@code QNNPACK}), written for ARM, also built for x86. */
    QNNPACK("qnnpack", 2),
    /** Intel's oneDNN ({@code ONEDNN}). */
    ONEDNN("onednn", 3),
    /** {@code X86}: fbgemm or oneDNN per op, libtorch's default on x86 CPUs that fbgemm supports. */
    X86("x86", 4);

    private final String torchName;
    private final int code;

    QuantizedEngine(String torchName, int code) {
        this.torchName = torchName;
        this.code = code;
    }

    /** Returns the name torch uses ({@code "x86"}, {@code "onednn"}, ...). */
    public String torchName() {
        return torchName;
    }

    /** Returns the value of {@code c10::QEngine} (libtorch 2.7's {@code c10/core/QEngine.h}). */
    int code() {
        return code;
    }

    /**
     * Returns the engine torch names {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException if no engine has that name
     */
    public static QuantizedEngine of(String name) {
        for (QuantizedEngine e : values()) {
            if (e.torchName.equals(name.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown quantized engine '" + name + "'; torch's engines are "
                + Arrays.stream(values()).map(QuantizedEngine::torchName).collect(Collectors.joining(", ")));
    }

    /** Returns the engine with {@code c10::QEngine} value {@code code}, or throws IllegalStateException. */
    static QuantizedEngine ofCode(int code) {
        for (QuantizedEngine e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        throw new IllegalStateException("libtorch reports an unknown quantized engine " + code);
    }

    @Override
    public String toString() {
        return torchName;
    }
}
