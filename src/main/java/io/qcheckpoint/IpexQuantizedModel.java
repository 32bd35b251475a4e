package io.qcheckpoint;

import ai.djl.ndarray.NDArray;
import io.qcheckpoint.config.IpexConfig;
import io.qcheckpoint.config.IpexConfigs;
import io.qcheckpoint.ipex.IpexCalibration;
import io.qcheckpoint.lpot.CheckpointDirectory;
import io.qcheckpoint.lpot.CheckpointFiles;
import io.qcheckpoint.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A model quantized by LPOT's IPEX backend: the float model with its calibrated ops running in int8,
 * and the IPEX 1.x calibration list. {@link #save} writes only {@code best_configure.json}, as LPOT
 * does: the weights stay those of the float model.
 */
public final class IpexQuantizedModel extends QuantizedModel<IpexConfig> {
    /** The calibration file's name. */
    public static final String CONFIG_FILE = CheckpointFiles.IPEX_CONFIG;

    /**
     * Wraps a module tree, which this model now owns.
     *
     * @param module the float model with its quantized ops swapped in
     * @param config the calibration list it was built from
     */
    public IpexQuantizedModel(Module module, IpexConfig config) {
        super(module, config);
    }

    /**
     * Calibrates a float model as LPOT's IPEX 1.x backend does and builds the int8 model of the
     * resulting list, exactly as {@link Checkpoints#load} builds it from that list with the first
     * batch as example input (so {@link #save} and loading give this model back).
     *
     * <p>The ops are the model's Conv2d, ConvReLU2d, Linear and LinearReLU modules (not their parts),
     * in the order the first batch runs them; each gets one list entry, {@code id} 0, 1, ... in that
     * order, named as IPEX names them ({@code Convolution}, {@code Convolution_Relu}, {@code Linear},
     * {@code Linear_Relu}). Every batch runs through the float model, and each op's float input and
     * output are observed: their float32 min and max over all batches. Each tensor gets a multiplier
     * (IPEX's scale, the inverse of a PyTorch scale), computed in float64 from the float32 range:
     * <ul>
     *   <li>{@code min >= 0}: uint8, {@code 255 / max}, {@code *_uint8_used} true; an all-zero tensor
     *       ({@code max == 0}) gets multiplier 1 (PyTorch scale 1) instead of infinity;</li>
     *   <li>otherwise: symmetric int8, {@code 127.5 / max(|min|, |max|)}, {@code *_uint8_used} false.</li>
     * </ul>
     * This is the IPEX 1.x form: no {@code inputs_zero_point}/{@code outputs_zero_point} (IPEX 1.8+),
     * so uint8 data is taken over {@code [0, max]} (FORMATS.md's {@code 255 / (max - min)} with the
     * range widened to hold 0, zero point 0). Every entry has {@code algorithm: "min_max"},
     * {@code weight_granularity: "per_channel"}, and {@code quantized} false exactly for the ops in
     * {@code fp32Ops}, which stay float modules in the built model.
     *
     * @param fp32 the float model with its weights, fused as IPEX fuses it (ConvReLU2d, LinearReLU);
     *     not changed
     * @param calibration the calibration inputs, iterated once; the first also orders the ops and must
     *     stay open until this returns
     * @param fp32Ops paths of ops to leave in float, e.g. {@code "conv2"}
     * @return the int8 model and its list, owned by the caller
     * @throws IllegalArgumentException if {@code calibration} is empty; if an entry of {@code fp32Ops}
     *     is not the path of an op the first batch runs (the message names it); if an op runs more than
     *     once in one pass, or a later batch runs an op the first did not; if an observed range is not
     *     finite (NaN or infinity in the data)
     * @throws NullPointerException if an argument is null
     */
    public static IpexQuantizedModel calibrate(Module fp32, Iterable<NDArray> calibration, Set<String> fp32Ops) {
        IpexCalibration.Result r = IpexCalibration.calibrate(fp32, calibration, fp32Ops);
        return new IpexQuantizedModel(r.module(), r.config());
    }

    /**
     * Writes {@code best_configure.json} (one line, Python's separators and float spelling) into
     * {@code dir}, replacing a checkpoint there only once it is complete and synced.
     *
     * @param dir the checkpoint directory; created, with the folders above it, if missing; it may hold
     *     only checkpoint files
     * @param options whether the save is atomic ({@link SaveOptions#atomic()})
     * @throws java.nio.file.FileSystemException if the file system refuses; it names {@code dir}
     * @throws java.nio.file.AtomicMoveNotSupportedException if an atomic save is asked of a file
     *     system that cannot rename a folder with its files; nothing was changed
     * @throws IOException if writing fails ({@code dir} is then as it was), or {@code dir} holds other files
     */
    @Override
    public void save(Path dir, SaveOptions options) throws IOException {
        CheckpointDirectory.replace(dir, options.atomic(), tmp -> IpexConfigs.writeJson(tuneConfig(), tmp.resolve(CONFIG_FILE)));
    }
}
