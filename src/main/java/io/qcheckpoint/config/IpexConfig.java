package io.qcheckpoint.config;

import java.util.List;

/**
 * An IPEX 1.x calibration list, LPOT's {@code best_configure.json} for the IPEX backend
 * (FORMATS.md 4): one entry per op, in execution order. No weights go with it.
 *
 * @param ops the ops, in order; copied, unmodifiable
 */
public record IpexConfig(List<IpexOpCalibration> ops) {
    /**
     * Copies the list.
     *
     * @throws NullPointerException if the list or an op is null
     */
    public IpexConfig {
        ops = List.copyOf(ops);
    }

    /**
     * Converts an IPEX scale (a multiplier: {@code 127.5 / max(|min|, |max|)} symmetric,
     * {@code 255 / (max - min)} uint8) to a PyTorch scale, its inverse.
     *
     * @param multiplier the IPEX value
     * @return {@code 1 / multiplier}
     */
    public static double torchScale(double multiplier) {
        return 1.0 / multiplier;
    }
}
