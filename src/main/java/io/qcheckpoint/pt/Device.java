package io.qcheckpoint.pt;

import java.util.Objects;

/**
 * A {@code torch.device} value found in a file, such as {@code "cpu"} or {@code "cuda:0"}.
 *
 * @param spec the device string torch pickled
 */
public record Device(String spec) {
    /** Creates a device value; the spec must not be null. */
    public Device {
        Objects.requireNonNull(spec, "spec");
    }
}
