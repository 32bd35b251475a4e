package io.qcheckpoint.djl;

import ai.djl.Model;
import ai.djl.nn.Block;
import ai.djl.nn.BlockFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * DJL's hook for a model folder whose block is not a TorchScript file: named by the criteria
 * argument {@code blockFactory} (or {@code blockFactory=} in the folder's {@code serving.properties}),
 * it loads the LPOT checkpoint in the model path onto the float model the arguments name
 * ({@link CheckpointBlocks}). DJL then reads no parameter file when the option {@code hasParameter}
 * is {@code false}.
 *
 * <pre>{@code
 * Criteria<NDList, NDList> criteria = Criteria.builder()
 *         .setTypes(NDList.class, NDList.class)
 *         .optModelPath(Path.of("checkpoint"))
 *         .optArgument("blockFactory", LpotBlockFactory.class.getName())
 *         .optOption("hasParameter", "false")
 *         .optArgument("fp32Model", "com.example.MyNet")
 *         .build();
 * }</pre>
 */
public final class LpotBlockFactory implements BlockFactory {
    private static final long serialVersionUID = 1L;

    /** Creates the factory (DJL does, by name). */
    public LpotBlockFactory() {
    }

    /**
     * {@inheritDoc}
     *
     * @throws IOException as {@link CheckpointBlocks#load(Model, Path, Map)} does
     * @throws IllegalArgumentException if the arguments name no usable float model
     */
    @Override
    public Block newBlock(Model model, Path modelPath, Map<String, ?> arguments) throws IOException {
        return CheckpointBlocks.load(model, modelPath, arguments);
    }
}
