package io.qcheckpoint.djl;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.qcheckpoint.QuantizedModel;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link QuantizedModel} as a DJL {@link ai.djl.nn.Block}, so that a DJL {@link Model} serves it
 * through {@code model.newPredictor(translator)} with DJL's translators or the caller's own. The
 * model's inputs in (one float32 {@link NDArray} for a CNN; input ids and attention mask for an imported
 * BERT-style model), one array out, computed by {@link QuantizedModel#forward}: the same kernels,
 * the same numbers. Inference only: it has no DJL parameters, and the weights are the checkpoint's.
 *
 * <p>The block does not own the model; {@link #newModel} makes a DJL model that does.
 */
public final class QuantizedBlock extends AbstractBlock {
    /** The engine whose models hold the block: the one whose libtorch runs the int8 kernels. */
    public static final String ENGINE = "PyTorch";

    private final QuantizedModel<?> model;

    /**
     * Wraps a loaded int8 model; the caller still owns it and closes it after the block's last use.
     *
     * @param model the int8 model
     */
    public QuantizedBlock(QuantizedModel<?> model) {
        this.model = Objects.requireNonNull(model, "model");
    }

    /**
     * Returns a new DJL model (engine {@value #ENGINE}, on the CPU) whose block runs {@code int8} and
     * which owns it: closing the DJL model closes {@code int8}.
     *
     * @param name the model's name
     * @param int8 the int8 model, now owned by the returned model
     * @return the DJL model, owned by the caller
     */
    public static Model newModel(String name, QuantizedModel<?> int8) {
        Model m = Model.newInstance(name, Device.cpu(), ENGINE);
        adopt(m, int8);
        return m;
    }

    /** Sets the block of {@code m} to one that runs {@code int8}, which {@code m} then owns. */
    static void adopt(Model m, QuantizedModel<?> int8) {
        m.setBlock(new QuantizedBlock(int8));
        m.getNDManager().attachInternal(UUID.randomUUID().toString(), int8);
    }

    /**
     * Returns the int8 model this block runs.
     *
     * @return the model
     */
    public QuantizedModel<?> model() {
        return model;
    }

    /**
     * Runs the int8 model on the list's arrays, in the order of the model's {@code forward} parameters.
     *
     * @throws UnsupportedOperationException if {@code training} is set: the int8 model only infers
     * @throws io.qcheckpoint.nn.ForwardException if the model takes another number of inputs, or an
     *     array does not fit it
     */
    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
            PairList<String, Object> params) {
        if (training) {
            throw new UnsupportedOperationException("a QuantizedBlock only infers: the int8 model cannot be trained");
        }
        return new NDList(model.forward(inputs));
    }

    /**
     * Returns no names or shapes: a module tree does not declare the input it takes (DJL's default
     * would fail on a block that was never initialized with shapes).
     *
     * @return an empty list
     */
    @Override
    public PairList<String, Shape> describeInput() {
        return new PairList<>();
    }

    /** Runs the model once on zeros of the given shape (no shape arithmetic is known for an arbitrary tree). */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        if (inputShapes.length != 1) {
            throw new IllegalArgumentException("a QuantizedBlock takes one input, got shapes " + Arrays.toString(inputShapes));
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            return new Shape[] {model.forward(scratch.zeros(inputShapes[0])).getShape()};
        }
    }

    /** @throws UnsupportedOperationException always: save the checkpoint with {@link QuantizedModel#save} */
    @Override
    public void saveParameters(DataOutputStream os) {
        throw new UnsupportedOperationException("a QuantizedBlock has no DJL parameters: save the checkpoint with QuantizedModel.save");
    }

    /** @throws MalformedModelException always: the weights come from the LPOT checkpoint, not a DJL parameter file */
    @Override
    public void loadParameters(NDManager manager, DataInputStream is) throws MalformedModelException {
        throw new MalformedModelException("a QuantizedBlock has no DJL parameters: its weights are the LPOT checkpoint's");
    }

    @Override
    public String toString() {
        return "QuantizedBlock(" + model.getClass().getSimpleName() + ")";
    }
}
