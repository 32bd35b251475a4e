package io.qcheckpoint.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ForwardHooks}: hooks hear each module's own input and output in run order, and leave no trace. */
class ForwardHooksTest {

    @Test
    void hooksHearEachModuleInOrderAndLeaveTheTreeAsItWas() {
        try (NDManager m = NDManager.newBaseManager();
             Sequential model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2))) {
            NDArray x = m.randomNormal(new Shape(5, 4));
            float[] expected = model.forward(x).toFloatArray();
            Module first = model.module("0");
            Module last = model.module("2");
            List<String> heard = new ArrayList<>();
            List<float[]> outputs = new ArrayList<>();
            ForwardHooks.run(model, List.of("2", "0"), x, (path, in, out) -> {
                heard.add(path);
                outputs.add(out.toFloatArray());
            });
            assertEquals(List.of("0", "2"), heard, "the order in which they ran, not the order given");
            assertArrayEquals(first.forward(x).toFloatArray(), outputs.get(0));
            assertArrayEquals(expected, outputs.get(1));
            assertSame(first, model.module("0"));
            assertSame(last, model.module("2"));
            assertArrayEquals(expected, model.forward(x).toFloatArray());
        }
    }

    @Test
    void aFailingPassStillTakesTheHooksOut() {
        try (NDManager m = NDManager.newBaseManager(); Sequential model = new Sequential(new Linear(4, 3), new ReLU())) {
            Module linear = model.module("0");
            NDArray wrongWidth = m.ones(new Shape(2, 7));
            assertThrows(RuntimeException.class, () -> ForwardHooks.run(model, List.of("1"), wrongWidth, (p, i, o) -> { }));
            assertThrows(IllegalStateException.class, () -> ForwardHooks.run(model, List.of("0"), m.ones(new Shape(2, 4)),
                    (p, i, o) -> {
                        throw new IllegalStateException("hook failed");
                    }));
            assertThrows(IllegalArgumentException.class, () -> ForwardHooks.run(model, List.of("0", "9"), wrongWidth,
                    (p, i, o) -> { }));
            assertSame(linear, model.module("0"));
            assertSame(ReLU.class, model.module("1").getClass());
            assertEquals(List.of("", "0", "1"), List.copyOf(model.namedModules().keySet()));
        }
    }
}
