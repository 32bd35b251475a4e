package io.qcheckpoint.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One op of an IPEX 1.x calibration list ({@code best_configure.json}, FORMATS.md 4), in IPEX's
 * key order. Scales are IPEX's multipliers, the inverse of PyTorch scales
 * ({@link IpexConfig#torchScale(double)}).
 *
 * @param id the op's id, in execution order
 * @param name the op kind, e.g. {@code Convolution_Relu}
 * @param algorithm the calibration algorithm, {@code min_max}
 * @param weightGranularity {@code per_channel} or {@code per_tensor}
 * @param inputsScale one multiplier per input
 * @param outputsScale one multiplier per output
 * @param inputsZeroPoint one zero point per input (IPEX 1.8/1.9), if the file has them
 * @param outputsZeroPoint one zero point per output (IPEX 1.8/1.9), if the file has them
 * @param inputsUint8Used per input, whether it is quantized to uint8
 * @param outputsUint8Used per output, whether it is quantized to uint8
 * @param quantized whether the op runs in int8 (LPOT sets false for an fp32 fallback)
 * @param extras any other keys, in the file's order (written after the known ones); JSON data
 */
public record IpexOpCalibration(int id, String name, String algorithm, String weightGranularity,
        List<Double> inputsScale, List<Double> outputsScale, Optional<List<Long>> inputsZeroPoint,
        Optional<List<Long>> outputsZeroPoint, List<Boolean> inputsUint8Used, List<Boolean> outputsUint8Used,
        boolean quantized, Map<String, Object> extras) {
    /** The keys IPEX writes, in its order. */
    static final List<String> KEYS = List.of("id", "name", "algorithm", "weight_granularity", "inputs_scale",
            "outputs_scale", "inputs_zero_point", "outputs_zero_point", "inputs_uint8_used", "outputs_uint8_used",
            "quantized");
    private static final Set<String> KNOWN = Set.copyOf(KEYS);

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a component or a list item is null
     * @throws IllegalArgumentException if an extra key is a known one, or an extra value is not JSON data
     */
    public IpexOpCalibration {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(weightGranularity, "weightGranularity");
        inputsScale = List.copyOf(inputsScale);
        outputsScale = List.copyOf(outputsScale);
        inputsZeroPoint = inputsZeroPoint.map(List::copyOf);
        outputsZeroPoint = outputsZeroPoint.map(List::copyOf);
        inputsUint8Used = List.copyOf(inputsUint8Used);
        outputsUint8Used = List.copyOf(outputsUint8Used);
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : extras.entrySet()) {
            if (KNOWN.contains(e.getKey())) {
                throw new IllegalArgumentException(e.getKey() + " is a component, not an extra");
            }
            copy.put(e.getKey(), ConfigValues.copy(e.getValue(), e.getKey()));
        }
        extras = Collections.unmodifiableMap(copy);
    }

    /**
     * Returns a copy with {@code quantized} set, as LPOT does to fall an op back to fp32.
     *
     * @param value the new flag
     * @return the new op
     */
    public IpexOpCalibration withQuantized(boolean value) {
        return new IpexOpCalibration(id, name, algorithm, weightGranularity, inputsScale, outputsScale, inputsZeroPoint,
                outputsZeroPoint, inputsUint8Used, outputsUint8Used, value, extras);
    }

    /** Returns the inputs' PyTorch scales, {@code 1 / multiplier} each. */
    public List<Double> inputsTorchScale() {
        return torchScales(inputsScale);
    }

    /** Returns the outputs' PyTorch scales, {@code 1 / multiplier} each. */
    public List<Double> outputsTorchScale() {
        return torchScales(outputsScale);
    }

    private static List<Double> torchScales(List<Double> multipliers) {
        List<Double> out = new ArrayList<>(multipliers.size());
        multipliers.forEach(m -> out.add(IpexConfig.torchScale(m)));
        return Collections.unmodifiableList(out);
    }

    /** Returns the op as Python data in IPEX's key order (extras last), as {@code json.dump} writes it. */
    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", (long) id);
        m.put("name", name);
        m.put("algorithm", algorithm);
        m.put("weight_granularity", weightGranularity);
        m.put("inputs_scale", inputsScale);
        m.put("outputs_scale", outputsScale);
        inputsZeroPoint.ifPresent(z -> m.put("inputs_zero_point", z));
        outputsZeroPoint.ifPresent(z -> m.put("outputs_zero_point", z));
        m.put("inputs_uint8_used", inputsUint8Used);
        m.put("outputs_uint8_used", outputsUint8Used);
        m.put("quantized", quantized);
        m.putAll(extras);
        return m;
    }
}
