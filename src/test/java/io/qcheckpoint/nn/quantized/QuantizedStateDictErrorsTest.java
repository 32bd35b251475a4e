package io.qcheckpoint.nn.quantized;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.qcheckpoint.nn.Module;
import io.qcheckpoint.nn.StateDictMismatchException;
import io.qcheckpoint.pt.StateDict;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.pt.Tuple;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A quantized state dict that does not fit the model is refused with the keys named, and the model
 * still computes exactly what it did before.
 */
class QuantizedStateDictErrorsTest {
    @Test
    void anotherModelsStateDictIsRefusedNamingTheKeys() throws Exception {
        StateDict cnn = TorchFiles.readStateDict(QuantizedModelsTest.FIXTURES.resolve("cnn.q_sd.pt"));
        StateDictMismatchException e = refused(sd -> { }, cnn);
        assertTrue(e.missingKeys().contains("fc1._packed_params._packed_params"), e.getMessage());
        assertTrue(e.unexpectedKeys().contains("conv1.weight"), e.getMessage());
    }

    @Test
    void wrongValuesAreRefused() throws Exception {
        StateDict mlp = TorchFiles.readStateDict(QuantizedModelsTest.FIXTURES.resolve("mlp.q_sd.pt"));
        Tensor floatWeight = Tensor.fromFloats(new float[32 * 16], 32, 16);
        assertTrue(refused(sd -> sd.put("fc1._packed_params._packed_params", Tuple.of(floatWeight, null)), mlp)
                .getMessage().contains("fc1._packed_params._packed_params"));
        assertTrue(refused(sd -> sd.put("fc2.scale", Tensor.fromFloats(new float[] {-1f})), mlp)
                .getMessage().contains("fc2.scale"));
        assertTrue(refused(sd -> sd.put("quant.zero_point", "zero"), mlp).getMessage().contains("quant.zero_point"));
        Tuple fc3 = (Tuple) mlp.get("fc3._packed_params._packed_params");
        assertTrue(refused(sd -> sd.put("fc3._packed_params._packed_params", Tuple.of(fc3.get(0), fc3.get(0))), mlp)
                .getMessage().contains("bias"));
    }

    /** Applies {@code damage} to a copy of {@code source}, loads it into the quantized MLP, checks nothing changed. */
    private static StateDictMismatchException refused(Consumer<StateDict> damage, StateDict source) throws Exception {
        StateDict damaged = new StateDict();
        source.entries().forEach(damaged::put);
        source.metadata().forEach(damaged::putMetadata);
        damage.accept(damaged);
        try (Module q = QuantizedModelsTest.quantizedModel("mlp"); NDManager m = NDManager.newBaseManager()) {
            float[] before = q.forward(QuantizedModelsTest.input(m, "mlp")).toFloatArray();
            StateDictMismatchException e = assertThrows(StateDictMismatchException.class, () -> q.loadStateDict(damaged, true));
            assertArrayEquals(before, q.forward(QuantizedModelsTest.input(m, "mlp")).toFloatArray(), "the model changed");
            return e;
        }
    }
}
