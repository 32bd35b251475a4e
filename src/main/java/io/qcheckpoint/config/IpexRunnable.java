package io.qcheckpoint.config;

import io.qcheckpoint.pt.CheckpointFormatException;
import java.util.List;

/**
 * Checks that an IPEX calibration list can be run as int8: what {@link IpexConfigs#readJson} reads
 * is any list of the right shape (so that odd files round-trip), but loading one needs, per op,
 * at least one input and one output multiplier, every multiplier positive and finite (the PyTorch
 * scale {@code 1 / multiplier} too), and every zero point inside uint8 (where {@code uint8_used})
 * or int8.
 */
public final class IpexRunnable {
    private IpexRunnable() {
    }

    /**
     * Checks every op of the list.
     *
     * @param cfg the list
     * @param source the file, for messages
     * @throws CheckpointFormatException naming the file, the op's index and the key, e.g.
     *     {@code [0].inputs_scale[0]: is 0.0, expected a positive finite multiplier}
     */
    public static void check(IpexConfig cfg, String source) throws CheckpointFormatException {
        for (int i = 0; i < cfg.ops().size(); i++) {
            IpexOpCalibration op = cfg.ops().get(i);
            String path = "[" + i + "]";
            scales(op.inputsScale(), path + ".inputs_scale", source);
            scales(op.outputsScale(), path + ".outputs_scale", source);
            zeroPoints(op.inputsZeroPoint().orElse(List.of()), op.inputsUint8Used(), path + ".inputs_zero_point", source);
            zeroPoints(op.outputsZeroPoint().orElse(List.of()), op.outputsUint8Used(), path + ".outputs_zero_point", source);
        }
    }

    private static void scales(List<Double> multipliers, String path, String source) throws CheckpointFormatException {
        if (multipliers.isEmpty()) {
            throw new CheckpointFormatException(source, path + ": empty, expected a multiplier per tensor");
        }
        for (int i = 0; i < multipliers.size(); i++) {
            double m = multipliers.get(i);
            if (!(m > 0) || Double.isInfinite(m) || Double.isInfinite(1 / m)) {
                throw new CheckpointFormatException(source, path + "[" + i + "]: is " + m
                        + ", expected a positive finite multiplier (the PyTorch scale is 1 / multiplier)");
            }
        }
    }

    private static void zeroPoints(List<Long> zeroPoints, List<Boolean> uint8, String path, String source)
            throws CheckpointFormatException {
        for (int i = 0; i < zeroPoints.size(); i++) {
            boolean unsigned = i < uint8.size() && uint8.get(i);
            long lo = unsigned ? 0 : -128;
            long hi = unsigned ? 255 : 127;
            if (zeroPoints.get(i) < lo || zeroPoints.get(i) > hi) {
                throw new CheckpointFormatException(source, path + "[" + i + "]: is " + zeroPoints.get(i) + ", expected "
                        + lo + " to " + hi + (unsigned ? " (uint8)" : " (int8)"));
            }
        }
    }
}
