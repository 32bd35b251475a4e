package io.qcheckpoint.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Application;
import ai.djl.Device;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.repository.MRL;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ModelZoo;
import ai.djl.repository.zoo.ZooModel;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.qcheckpoint.CheckpointNotFoundException;
import io.qcheckpoint.LoadOptions;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.TensorArrays;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.CheckpointFormatException;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.TorchOutputs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DJL's {@link Criteria} load an LPOT checkpoint into a {@link ZooModel}: from a model path through
 * {@link LpotBlockFactory}, and through the {@link LpotModelZoo} that {@link java.util.ServiceLoader}
 * registers. Predictions equal {@link QuantizedModel#forward}'s bit for bit and torch's within one
 * step; bad criteria fail with messages that name what is wrong.
 */
class CriteriaTest {
    /** The example of examples/serve-lpot-checkpoint: the same checkpoint, the float weights beside its folder. */
    private static final Path EXAMPLE_CHECKPOINT = Path.of("examples/serve-lpot-checkpoint/checkpoint");

    @TempDir
    Path dir;

    private static Criteria.Builder<NDList, NDList> fromModelPath(Path checkpoint, Map<String, Object> arguments) {
        return Criteria.builder().setTypes(NDList.class, NDList.class)
                .optModelPath(checkpoint)
                .optArguments(new HashMap<>(arguments))   // replaces the arguments: first
                .optArgument("blockFactory", LpotBlockFactory.class.getName())
                .optOption("hasParameter", "false");
    }

    private static Criteria.Builder<NDList, NDList> fromZoo(Path checkpoint, Map<String, Object> arguments) {
        Map<String, Object> all = new HashMap<>(arguments);
        all.put(LpotModelLoader.CHECKPOINT, checkpoint);
        return Criteria.builder().setTypes(NDList.class, NDList.class).optGroupId(LpotModelZoo.GROUP_ID).optArguments(all);
    }

    @Test
    void aModelPathLoadsIntoAZooModelThatPredictsAsForward() throws Exception {
        assertPredictsAsForward(fromModelPath(LpotCase.DIR, LpotCase.fp32Arguments()).build());
    }

    @Test
    void theRegisteredZooLoadsIntoAZooModelThatPredictsAsForward() throws Exception {
        assertInstanceOf(LpotModelZoo.class, ModelZoo.getModelZoo(LpotModelZoo.GROUP_ID), "ServiceLoader registered the zoo");
        assertPredictsAsForward(fromZoo(LpotCase.DIR, LpotCase.fp32Arguments()).build());
    }

    @Test
    void theFloatWeightsAreFoundBesideTheCheckpoint() throws Exception {
        // examples/serve-lpot-checkpoint/fp32_weights.pt, a copy of the fixture's (ReadmeTest checks)
        assertPredictsAsForward(fromModelPath(EXAMPLE_CHECKPOINT, Map.of(CheckpointBlocks.FP32_MODEL, LpotCase.FP32_CLASS)).build());
    }

    @Test
    void aSourceObjectCanStandForTheClassName() throws Exception {
        Fp32ModelSource source = new ModuleClassSource(LpotCase.FP32_CLASS, getClass().getClassLoader(),
                Optional.of(LpotCase.FP32_WEIGHTS));
        assertPredictsAsForward(fromZoo(LpotCase.DIR, Map.of(CheckpointBlocks.FP32_MODEL, source)).build());
    }

    /** The example's traced float model (a copy of the torchscript fixture refnet_trace.pt): no model class. */
    @Test
    void theFloatModelMayBeItsTorchScriptFile() throws Exception {
        Map<String, Object> args = Map.of(CheckpointBlocks.FP32_TORCHSCRIPT, "examples/serve-lpot-checkpoint/fp32.pt");
        for (Criteria<NDList, NDList> c : bothRoutes(EXAMPLE_CHECKPOINT, args)) {
            assertPredictsAsForward(c);
        }
    }

    @Test
    void theFloatModelIsGivenOnce() {
        Map<String, Object> args = new HashMap<>(LpotCase.fp32Arguments());
        args.put(CheckpointBlocks.FP32_TORCHSCRIPT, "examples/serve-lpot-checkpoint/fp32.pt");
        for (Criteria<NDList, NDList> c : bothRoutes(LpotCase.DIR, args)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::loadModel);
            assertTrue(e.getMessage().contains("'fp32Model' and 'fp32TorchScript' are both set"), e::getMessage);
        }
    }

    private static void assertPredictsAsForward(Criteria<NDList, NDList> criteria) throws Exception {
        try (QuantizedModel<?> reference = LpotCase.load(); NDManager m = NDManager.newBaseManager();
                ZooModel<NDList, NDList> model = criteria.loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            assertInstanceOf(QuantizedBlock.class, model.getBlock());
            float[] actual = predictor.predict(new NDList(LpotCase.input(m))).head().toFloatArray();
            assertArrayEquals(reference.forward(LpotCase.input(m)).toFloatArray(), actual, "ZooModel against QuantizedModel.forward");
            LpotCase.assertTorchsOutput(actual, "the ZooModel's output");
        }
    }

    /** DJL reads {@code serving.properties} in the model folder: with it, a model path alone is enough. */
    @Test
    void servingPropertiesInTheFolderMakeAModelPathEnough() throws Exception {
        Path checkpoint = Files.createDirectories(dir.resolve("checkpoint"));
        for (String f : new String[] {"best_configure.yaml", "best_model_weights.pt"}) {
            Files.copy(LpotCase.DIR.resolve(f), checkpoint.resolve(f));
        }
        Files.copy(LpotCase.FP32_WEIGHTS, dir.resolve(ModuleClassSource.WEIGHTS_FILE));
        Files.writeString(checkpoint.resolve("serving.properties"), String.join("\n",
                "blockFactory=" + LpotBlockFactory.class.getName(),
                "option.hasParameter=false",
                "fp32Model=" + LpotCase.FP32_CLASS, ""));
        assertPredictsAsForward(Criteria.builder().setTypes(NDList.class, NDList.class).optModelPath(checkpoint).build());
    }

    @Test
    void aDeviceOtherThanTheCpuIsRefusedBeforeLoading() {
        for (Criteria<NDList, NDList> c : bothRoutes(LpotCase.DIR, LpotCase.fp32Arguments())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> c.toBuilder().optDevice(Device.gpu()).build().loadModel());
            assertTrue(e.getMessage().startsWith("an LPOT int8 model runs on the CPU, not gpu(0)"), e::getMessage);
        }
    }

    /** An IPEX checkpoint (best_configure.json) needs an example input: a torch file named in the criteria. */
    @Test
    void anIpexCheckpointLoadsWithAnExampleInput() throws Exception {
        Path ipex = Path.of("src/test/resources/fixtures/ipex");
        Map<String, Object> args = Map.of(CheckpointBlocks.FP32_MODEL, LpotModels.IpexNet.class.getName(),
                CheckpointBlocks.FP32_WEIGHTS, ipex.resolve("fp32_sd.pt").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, fromModelPath(ipex, args).build()::loadModel);
        assertTrue(e.getMessage().contains("needs an example input") && e.getMessage().endsWith("the argument 'exampleInput'"),
                e::getMessage);

        Map<String, Object> withExample = new HashMap<>(args);
        withExample.put(CheckpointBlocks.EXAMPLE_INPUT, ipex.resolve("input.pt").toString());
        double step = new ObjectMapper().readTree(ipex.resolve("case.json").toFile())
                .get("output_scale").asDouble();
        try (NDManager m = NDManager.newBaseManager();
                QuantizedModel<?> reference = CheckpointBlocks.load(ipex, CheckpointBlocks.fp32Source(args),
                        LoadOptions.defaults().withExampleInput(input(m, ipex)));
                ZooModel<NDList, NDList> model = fromModelPath(ipex, withExample).build().loadModel();
                Predictor<NDList, NDList> predictor = model.newPredictor()) {
            float[] actual = predictor.predict(new NDList(input(m, ipex))).head().toFloatArray();
            assertArrayEquals(reference.forward(input(m, ipex)).toFloatArray(), actual, "ZooModel against QuantizedModel.forward");
            TorchOutputs.ipex().assertWithinOneStep(actual, step, "IPEX through Criteria");
        }
    }

    private static NDArray input(NDManager m, Path caseDir) throws IOException {
        return TensorArrays.toNDArray(m,
                (Tensor) TorchFiles.read(caseDir.resolve("input.pt")).root());
    }

    @Test
    void anExampleInputFileWithoutATensorIsNamed() {
        Map<String, Object> args = new HashMap<>(LpotCase.fp32Arguments());
        args.put(CheckpointBlocks.EXAMPLE_INPUT, LpotCase.FP32_WEIGHTS.toString());   // a state dict, not a tensor
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                fromModelPath(LpotCase.DIR, args).build()::loadModel);
        assertTrue(e.getMessage().contains(LpotCase.FP32_WEIGHTS.toString()) && e.getMessage().contains("holds no tensor"), e::getMessage);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "com.example.NoSuchNet | fp32Model com.example.NoSuchNet: class not found",
        "java.lang.String | java.lang.String: not a public, concrete subclass of io.qcheckpoint.nn.Module"})
    void aClassThatIsMissingOrNotAModuleIsNamed(String className, String message) {
        Map<String, Object> args = Map.of(CheckpointBlocks.FP32_MODEL, className,
                CheckpointBlocks.FP32_WEIGHTS, LpotCase.FP32_WEIGHTS.toString());
        for (Criteria<NDList, NDList> c : bothRoutes(LpotCase.DIR, args)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::loadModel);
            assertTrue(e.getMessage().contains(message), e::getMessage);
        }
    }

    @Test
    void noFloatModelArgumentSaysWhichIsNeeded() {
        for (Criteria<NDList, NDList> c : bothRoutes(LpotCase.DIR, Map.of())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::loadModel);
            assertTrue(e.getMessage().contains("give the criteria argument 'fp32TorchScript' (its TorchScript file) or"
                    + " 'fp32Model'"), e::getMessage);
        }
    }

    @Test
    void aFolderThatIsNotACheckpointIsNamed() throws Exception {
        Path notCheckpoint = Files.createDirectories(dir.resolve("not-a-checkpoint"));
        Files.copy(LpotCase.FP32_WEIGHTS, notCheckpoint.resolve(ModuleClassSource.WEIGHTS_FILE));
        for (Criteria<NDList, NDList> c : bothRoutes(notCheckpoint, Map.of(CheckpointBlocks.FP32_MODEL, LpotCase.FP32_CLASS))) {
            CheckpointNotFoundException e = assertThrows(CheckpointNotFoundException.class, c::loadModel);
            assertTrue(e.getMessage().contains(notCheckpoint.toString()), e::getMessage);
            assertTrue(e.getMessage().contains("best_configure.yaml"), e::getMessage);
        }
    }

    @Test
    void missingFloatWeightsSayWhereTheyWereLookedFor() throws Exception {
        Path bare = Files.createDirectories(dir.resolve("bare"));
        for (String f : new String[] {"best_configure.yaml", "best_model_weights.pt"}) {
            Files.copy(LpotCase.DIR.resolve(f), bare.resolve(f));
        }
        for (Criteria<NDList, NDList> c : bothRoutes(bare, Map.of(CheckpointBlocks.FP32_MODEL, LpotCase.FP32_CLASS))) {
            NoSuchFileException e = assertThrows(NoSuchFileException.class, c::loadModel);
            assertTrue(e.getMessage().contains(bare.resolve(ModuleClassSource.WEIGHTS_FILE).toString()), e::getMessage);
            assertTrue(e.getMessage().contains("fp32Weights"), e::getMessage);
        }
    }

    @Test
    void weightsOfAnotherModelAreRefusedByKey() {
        // the unfused RefNet's keys (conv.weight) against the fused model's (conv.0.weight)
        Map<String, Object> args = Map.of(CheckpointBlocks.FP32_MODEL, LpotModels.RefNet.class.getName(),
                CheckpointBlocks.FP32_WEIGHTS, LpotCase.FP32_WEIGHTS.toString());
        for (Criteria<NDList, NDList> c : bothRoutes(LpotCase.DIR, args)) {
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, c::loadModel);
            assertTrue(e.getMessage().contains("conv.0.weight"), e::getMessage);
        }
    }

    @Test
    void djlListsTheZoosLoader() throws Exception {
        List<MRL> undefined = ModelZoo.listModels().get(Application.UNDEFINED);
        assertTrue(undefined != null && undefined.stream().anyMatch(mrl -> LpotModelZoo.GROUP_ID.equals(mrl.getGroupId())
                && LpotModelLoader.ARTIFACT_ID.equals(mrl.getArtifactId())), () -> String.valueOf(undefined));
    }

    @Test
    void criteriaWithoutACheckpointAreNotTheZoosAndGoOn() {
        Criteria<NDList, NDList> c = Criteria.builder().setTypes(NDList.class, NDList.class).optGroupId(LpotModelZoo.GROUP_ID).build();
        ModelNotFoundException e = assertThrows(ModelNotFoundException.class, c::loadModel);
        assertTrue(e.getCause().getMessage().contains("criteria argument 'checkpoint'"), () -> String.valueOf(e.getCause()));
    }

    private static List<Criteria<NDList, NDList>> bothRoutes(Path checkpoint, Map<String, Object> arguments) {
        return List.of(fromModelPath(checkpoint, arguments).build(), fromZoo(checkpoint, arguments).build());
    }

}
