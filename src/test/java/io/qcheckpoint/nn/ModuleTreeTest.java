package io.qcheckpoint.nn;

import static io.qcheckpoint.nn.FloatFixtures.array;
import static io.qcheckpoint.nn.FloatFixtures.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The module tree with real models: deep copy, replace, named_modules order, and all-or-nothing
 * state-dict loading; expectations come from torch's fixtures (nested: the oracle's {@code Nested}).
 */
class ModuleTreeTest {
    private static final String NESTED = "nested";

    private static Module loadedNested() throws Exception {
        Module m = TorchModels.MODULE_CASES.get(NESTED).get();
        m.loadStateDict(FloatFixtures.stateDict(NESTED), true);
        return m.eval();
    }

    @Test
    void namedModulesFollowsTorchsOrder() throws Exception {
        try (Module m = loadedNested()) {
            assertEquals(FloatFixtures.modulesOf(FloatFixtures.manifest().get(NESTED).get("modules")),
                    FloatFixtures.describe(m));
            assertSame(m.module("block.inner.1"), m.child("block").child("inner").child("1"));
        }
    }

    @Test
    void copySharesNothingWithTheOriginal() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        Map<String, Object> io = FloatFixtures.io(NESTED);
        Module original = loadedNested();
        Module copy = original.copy();
        try (copy; NDManager nd = NDManager.newBaseManager()) {
            assertSame(TorchModels.Nested.class, copy.getClass());
            assertEquals(List.copyOf(original.namedModules().keySet()), List.copyOf(copy.namedModules().keySet()));
            original.namedModules().forEach((path, m) -> assertNotSame(m, copy.module(path), path));

            // change every array of the original in place, then free it: the copy keeps torch's values
            original.train(true);
            original.namedModules().values().forEach(m -> {
                m.namedParameters().values().stream().filter(a -> a != null).forEach(a -> a.muli(3));
                m.namedBuffers().values().forEach(a -> a.addi(1));
            });
            original.replace("head.2", new Identity()).close();
            original.close();

            assertFalse(copy.isTraining());
            FloatFixtures.assertSameStateDict(torch, copy.stateDict(), 0, 0);
            NDArray y = copy.forward(array(nd, io, "input"));
            assertClose(array(nd, io, "output"), y, 1e-5, 1e-6, "the copy's output");
        }
    }

    @Test
    void aShallowCopyLeavesTheOriginalsArraysAloneAndSharesNothingAfterOwnArrays() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        Map<String, Object> io = FloatFixtures.io(NESTED);
        try (Module original = loadedNested(); NDManager nd = NDManager.newBaseManager()) {
            Module copy = original.shallowCopy();
            try (copy) {
                original.namedModules().forEach((path, m) -> assertNotSame(m, copy.module(path), path));
                FloatFixtures.assertSameStateDict(torch, copy.stateDict(), 0, 0);
                // a strict load into the copy replaces every array, and leaves the original's as they were
                copy.loadStateDict(scaled(torch), true);
                copy.replace("head.2", new Identity()).close();
            }
            // closing the copy freed none of the original's arrays either
            FloatFixtures.assertSameStateDict(torch, original.stateDict(), 0, 0);
            assertClose(array(nd, io, "output"), original.forward(array(nd, io, "input")), 1e-5, 1e-6,
                    "the original's output");

            Module owned = original.shallowCopy().ownArrays();
            try (owned) {
                original.namedModules().forEach((path, m) -> m.namedParameters().forEach((name, a) -> {
                    if (a != null) {
                        assertNotSame(a, owned.module(path).parameter(name), path + "." + name);
                    }
                }));
                // the original's arrays change in place and are freed: the owned copy keeps torch's values
                original.namedModules().values().forEach(m ->
                        m.namedParameters().values().stream().filter(a -> a != null).forEach(a -> a.muli(3)));
                original.close();
                FloatFixtures.assertSameStateDict(torch, owned.stateDict(), 0, 0);
                assertClose(array(nd, io, "output"), owned.forward(array(nd, io, "input")), 1e-5, 1e-6,
                        "the owned copy's output");
            }
        }
    }

    @Test
    void replaceKeepsTheNamesPositionAndForwardUsesTheNewModule() throws Exception {
        try (Module m = loadedNested(); NDManager nd = NDManager.newBaseManager()) {
            List<String> before = List.copyOf(m.namedChildren().keySet());
            Module old = m.replace("stem.1", new Identity());
            assertSame(BatchNorm2d.class, old.getClass());
            old.close();
            assertEquals(before, List.copyOf(m.namedChildren().keySet()));
            assertEquals(List.of("0", "1", "2"), List.copyOf(m.child("stem").namedChildren().keySet()));
            assertSame(Identity.class, m.module("stem.1").getClass());
            assertFalse(m.stateDict().keys().stream().anyMatch(k -> k.startsWith("stem.1.")));
            assertTrue(m.stateDict().metadata().containsKey("stem.1"));

            // a module that records what runs through it proves Sequential reads the tree at call time
            Recorder recorder = new Recorder();
            m.replace("head.1", recorder).close();
            m.forward(array(nd, FloatFixtures.io(NESTED), "input"));
            assertEquals(1, recorder.calls);
            assertThrows(IllegalArgumentException.class, () -> m.replace("head.9", new Identity()));
            assertThrows(IllegalArgumentException.class, () -> m.replace("nope.0", new Identity()));
        }
    }

    @Test
    void loadStateDictRejectsMissingKeysAndLeavesTheModuleAsItWas() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        try (Module m = loadedNested()) {
            StateDict bad = without(scaled(torch), "stem.1.running_var");
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> m.loadStateDict(bad, true));
            assertEquals(List.of("stem.1.running_var"), e.missingKeys());
            assertEquals(List.of(), e.unexpectedKeys());
            FloatFixtures.assertSameStateDict(torch, m.stateDict(), 0, 0);

            LoadResult lenient = m.loadStateDict(bad, false);
            assertEquals(List.of("stem.1.running_var"), lenient.missingKeys());
            // a lenient load installs what is there: the doubled values
            assertClose(torch.tensor("head.2.bias").toDoubleArray(),
                    FloatFixtures.doubles(m.module("head.2").parameter("bias").div(2)), 0, 0, "head.2.bias");
        }
    }

    @Test
    void loadStateDictRejectsUnexpectedKeysAndLeavesTheModuleAsItWas() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        try (Module m = loadedNested()) {
            StateDict bad = scaled(torch).put("head.2.extra", Tensor.fromFloats(new float[] {1f}, 1));
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> m.loadStateDict(bad, true));
            assertEquals(List.of("head.2.extra"), e.unexpectedKeys());
            assertEquals(List.of(), e.missingKeys());
            FloatFixtures.assertSameStateDict(torch, m.stateDict(), 0, 0);
        }
    }

    @Test
    void loadStateDictRejectsWrongShapesEvenWhenNotStrict() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        try (Module m = loadedNested()) {
            StateDict bad = scaled(torch).put("head.2.weight", Tensor.fromFloats(new float[12], 4, 3));
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> m.loadStateDict(bad, false));
            assertTrue(e.errors().stream().anyMatch(s -> s.contains("head.2.weight")), e.getMessage());
            FloatFixtures.assertSameStateDict(torch, m.stateDict(), 0, 0);
        }
    }

    @Test
    void loadStateDictRefusesFewerThanOneThreadAndLeavesTheModuleAsItWas() throws Exception {
        StateDict torch = FloatFixtures.stateDict(NESTED);
        try (Module m = loadedNested()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.loadStateDict(scaled(torch), true, 0));
            assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
            FloatFixtures.assertSameStateDict(torch, m.stateDict(), 0, 0);
        }
    }

    @Test
    void trainAndEvalReachTheWholeTree() throws Exception {
        try (Module m = loadedNested()) {
            assertTrue(m.namedModules().values().stream().noneMatch(Module::isTraining));
            m.train(true);
            assertTrue(m.namedModules().values().stream().allMatch(Module::isTraining));
        }
    }

    private static final class Recorder extends Module {
        int calls;

        @Override
        public NDArray forward(NDArray input) {
            calls++;
            return input;
        }
    }

    /** A copy of {@code sd} whose floating-point tensors are doubled, so a load that happened would show. */
    private static StateDict scaled(StateDict sd) {
        StateDict out = new StateDict();
        sd.entries().forEach((k, v) -> {
            Tensor t = (Tensor) v;
            if (t.dtype().torchName().startsWith("float")) {
                float[] x = t.toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 2;
                }
                out.put(k, Tensor.fromFloats(x, t.shape()));
            } else {
                out.put(k, t);
            }
        });
        sd.metadata().forEach(out::putMetadata);
        return out;
    }

    private static StateDict without(StateDict sd, String key) {
        StateDict out = new StateDict();
        sd.entries().forEach((k, v) -> {
            if (!k.equals(key)) {
                out.put(k, v);
            }
        });
        sd.metadata().forEach(out::putMetadata);
        return out;
    }
}
