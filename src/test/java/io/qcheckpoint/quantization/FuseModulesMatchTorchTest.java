package io.qcheckpoint.quantization;

import static io.qcheckpoint.nn.FloatFixtures.array;
import static io.qcheckpoint.nn.FloatFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import io.qcheckpoint.nn.FloatFixtures;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.TorchModels;
import io.qcheckpoint.pt.StateDict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link FuseModules} against torch's {@code fuse_modules} / {@code fuse_modules_qat} on the same
 * models and groups: the fused tree (classes, names, modes), its state dict (keys, order,
 * {@code _metadata}, folded values) and its output; the argument stays as it was.
 */
class FuseModulesMatchTorchTest {
    static Stream<String> fusionCases() {
        return TorchModels.FUSION_CASES.keySet().stream().sorted();
    }

    @ParameterizedTest
    @MethodSource("fusionCases")
    void fusesAsTorch(String name) throws Exception {
        JsonNode manifest = FloatFixtures.manifest().get(name);
        boolean qat = manifest.get("qat").asBoolean();
        List<List<String>> groups = groups(manifest.get("groups"));
        StateDict torchSd = FloatFixtures.stateDict(name);
        Map<String, Object> io = FloatFixtures.io(name);
        try (Module model = TorchModels.FUSION_CASES.get(name).get(); NDManager nd = NDManager.newBaseManager()) {
            model.loadStateDict(torchSd, true);
            model.train(qat);
            assertEquals(FloatFixtures.modulesOf(manifest.get("modules")), FloatFixtures.describe(model), "unfused tree");

            try (Module fused = qat ? FuseModules.fuseModulesQat(model, groups) : FuseModules.fuseModules(model, groups)) {
                assertNotSame(model, fused);
                assertEquals(FloatFixtures.modulesOf(manifest.get("fused_modules")), FloatFixtures.describe(fused),
                        "fused tree: paths, classes and modes");
                FloatFixtures.assertSameStateDict(FloatFixtures.fusedStateDict(name), fused.stateDict(), 1e-6, 1e-7);
                // the argument is untouched
                assertEquals(FloatFixtures.modulesOf(manifest.get("modules")), FloatFixtures.describe(model));
                FloatFixtures.assertSameStateDict(torchSd, model.stateDict(), 0, 0);

                assertClose(array(nd, io, "output"), model.forward(array(nd, io, "input")), 1e-5, 1e-6, "unfused output");
                assertClose(array(nd, io, "fused_output"), fused.forward(array(nd, io, "input")), 1e-5, 1e-6,
                        "fused output");
                // and shares no storage with it: the argument's arrays changed in place leave the fused output
                model.namedModules().values().forEach(m -> {
                    m.namedParameters().values().stream().filter(a -> a != null).forEach(a -> a.muli(3));
                    m.namedBuffers().values().forEach(a -> a.addi(1));
                });
                assertClose(array(nd, io, "fused_output"), fused.forward(array(nd, io, "input")), 1e-5, 1e-6,
                        "fused output after the argument changed");
            }
        }
    }

    @Test
    void refusesPatternsTorchCannotFuseNamingPathsAndTypes() throws Exception {
        try (Module model = evalModel()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModules(model, List.of(List.of("conv1", "fc1"))));
            assertTrue(e.getMessage().contains("'conv1' (Conv2d)") && e.getMessage().contains("'fc1' (Linear)"),
                    e.getMessage());
            // torch fuses (BatchNorm2d, ReLU) into BNReLU2d; this library does not
            e = assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModules(model, List.of(List.of("bn1", "relu1"))));
            assertTrue(e.getMessage().contains("BatchNorm2d"), e.getMessage());
        }
    }

    @Test
    void refusesPathsThatNameNoModule() throws Exception {
        try (Module model = evalModel()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModules(model, List.of(List.of("conv1", "bn1", "relu1"), List.of("conv9", "bn2"))));
            assertTrue(e.getMessage().contains("conv9"), e.getMessage());
            FloatFixtures.assertSameStateDict(FloatFixtures.stateDict("fuse_2d"), model.stateDict(), 0, 0);
        }
    }

    @Test
    void foldsBatchNormsInEvalModeOnlyAsTorch() throws Exception {
        try (Module model = evalModel()) {
            model.train(true);
            // torch: AssertionError "Fusion only for eval!"
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModules(model, List.of(List.of("conv2", "bn2"))));
            assertTrue(e.getMessage().contains("eval"), e.getMessage());
            model.module("bn2").eval();
            // torch: "Conv and BN both must be in the same mode (train or eval)."
            assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModulesQat(model, List.of(List.of("conv2", "bn2"))));
        }
    }

    @Test
    void qatFusionOfOtherThan2dIsRefused() {
        try (Module model = TorchModels.FUSION_CASES.get("fuse_1d").get()) {
            assertThrows(IllegalArgumentException.class,
                    () -> FuseModules.fuseModulesQat(model, List.of(List.of("1", "2"))));
        }
    }

    private static Module evalModel() throws Exception {
        Module model = TorchModels.FUSION_CASES.get("fuse_2d").get();
        model.loadStateDict(FloatFixtures.stateDict("fuse_2d"), true);
        return model.eval();
    }

    private static List<List<String>> groups(JsonNode node) {
        List<List<String>> out = new ArrayList<>();
        for (JsonNode g : node) {
            List<String> group = new ArrayList<>();
            g.forEach(p -> group.add(p.asText()));
            out.add(group);
        }
        return out;
    }
}
