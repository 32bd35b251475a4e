package io.qcheckpoint.djl;

import ai.djl.Application;
import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelLoader;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.DefaultTranslatorFactory;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorFactory;
import ai.djl.util.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Loads the LPOT checkpoint that the criteria argument {@value #CHECKPOINT} names onto the float
 * model that {@link CheckpointBlocks#FP32_MODEL} names, into a {@link ZooModel} whose block is a
 * {@link QuantizedBlock}:
 *
 * <pre>{@code
 * Criteria<NDList, NDList> criteria = Criteria.builder()
 *         .setTypes(NDList.class, NDList.class)
 *         .optGroupId(LpotModelZoo.GROUP_ID)
 *         .optArgument("checkpoint", Path.of("checkpoint"))
 *         .optArgument("fp32Model", "com.example.MyNet")
 *         .build();
 * }</pre>
 *
 * Criteria without the {@value #CHECKPOINT} argument are not this loader's: it answers
 * {@link ModelNotFoundException}, and DJL tries the other zoos.
 */
public final class LpotModelLoader implements ModelLoader {
    /** The criteria argument that names the checkpoint directory (a {@link Path} or a string). */
    public static final String CHECKPOINT = "checkpoint";
    /** The loader's artifact id. */
    public static final String ARTIFACT_ID = "lpot";

    /** Creates the loader. */
    public LpotModelLoader() {
    }

    @Override
    public String getGroupId() {
        return LpotModelZoo.GROUP_ID;
    }

    @Override
    public String getArtifactId() {
        return ARTIFACT_ID;
    }

    @Override
    public Application getApplication() {
        return Application.UNDEFINED;
    }

    /** Returns an MRL without a repository: the checkpoint comes from the criteria, not from a repository. */
    @Override
    public MRL getMrl() {
        return MRL.undefined(null, LpotModelZoo.GROUP_ID, ARTIFACT_ID);
    }

    /**
     * {@inheritDoc}
     *
     * @throws ModelNotFoundException if the criteria name no checkpoint, or no translator fits their types
     * @throws IllegalArgumentException if they name no usable float model
     * @throws IOException if the checkpoint cannot be loaded ({@link CheckpointBlocks#load(Model, Path, Map)})
     */
    @Override
    public <I, O> ZooModel<I, O> loadModel(Criteria<I, O> criteria) throws IOException, ModelNotFoundException,
            MalformedModelException {
        Map<String, Object> arguments = criteria.getArguments() == null ? Map.of() : criteria.getArguments();
        Object dir = arguments.get(CHECKPOINT);
        if (dir == null) {
            throw new ModelNotFoundException("the LPOT model zoo loads the checkpoint named by the criteria argument '" + CHECKPOINT + "'");
        }
        Path path = dir instanceof Path p ? p : Path.of(dir.toString());
        TranslatorFactory factory = criteria.getTranslatorFactory() != null ? criteria.getTranslatorFactory() : new DefaultTranslatorFactory();
        if (!factory.isSupported(criteria.getInputClass(), criteria.getOutputClass())) {
            throw new ModelNotFoundException("no translator for " + criteria.getInputClass().getName() + " -> "
                    + criteria.getOutputClass().getName() + ": give one with Criteria.Builder.optTranslator");
        }
        String name = criteria.getModelName() != null ? criteria.getModelName() : String.valueOf(path.getFileName());
        Model model = Model.newInstance(name, criteria.getDevice() != null ? criteria.getDevice() : Device.cpu(), QuantizedBlock.ENGINE);
        try {
            CheckpointBlocks.load(model, path, arguments);
            // sets the model's folder, where translators look for their artifacts (synset.txt); reads no parameter file
            model.load(path, null, Map.of("hasParameter", "false"));
            Translator<I, O> translator = factory.newInstance(criteria.getInputClass(), criteria.getOutputClass(), model, arguments);
            return new ZooModel<>(model, translator);
        } catch (TranslateException e) {
            model.close();
            throw new ModelNotFoundException("no translator for the LPOT checkpoint " + path + ": " + e.getMessage(), e);
        } catch (IOException | MalformedModelException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** Returns true: a checkpoint is a local folder, nothing is downloaded. */
    @Override
    public <I, O> boolean isDownloaded(Criteria<I, O> criteria) {
        return true;
    }

    /** Does nothing: a checkpoint is a local folder. */
    @Override
    public <I, O> void downloadModel(Criteria<I, O> criteria, Progress progress) {
        // nothing to download
    }

    @Override
    public String toString() {
        return LpotModelZoo.GROUP_ID + ":" + ARTIFACT_ID;
    }
}
