package io.qcheckpoint.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.qcheckpoint.Checkpoints;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.kernels.QuantizedKernels;
import io.qcheckpoint.lpot.LpotModels;
import io.qcheckpoint.pt.DType;
import io.qcheckpoint.pt.TorchFiles;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An input that does not fit gives a {@link ForwardException} naming the module's path in the tree,
 * its type, the input it takes and the one it got, for float and quantized modules, instead of
 * libtorch's TorchScript traceback.
 */
class ForwardExceptionTest {
    /** LPOT v1.5's static checkpoint of {@link LpotModels.FusedRefNet}: conv fused with relu, conv2 in fp32. */
    private static final Path LPOT15_STATIC = Path.of("src/test/resources/fixtures/lpot/lpot15_static");

    private final NDManager manager = NDManager.newBaseManager();

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void aFloatConvDeepInTheTreeIsNamedByItsPath() {
        try (Module model = new Sequential(new Block(), new Block())) {
            ForwardException e = assertThrows(ForwardException.class,
                    () -> model.forward(manager.zeros(new Shape(2, 5, 8, 8))));
            assertEquals("0.conv1", e.modulePath());
            assertEquals("Conv2d", e.moduleType());
            assertEquals("0.conv1 (Conv2d): expected input [N, 3, H, W] or [3, H, W] float32, got [2, 5, 8, 8] float32",
                    e.getMessage());
            // the second block gets the first's 4 channels where it takes 3
            try (Module wider = new Sequential(new Sequential(new Block(), new Block()))) {
                assertEquals("0.1.conv1", assertThrows(ForwardException.class,
                        () -> wider.forward(manager.zeros(new Shape(2, 3, 8, 8)))).modulePath());
            }
        }
    }

    @Test
    void aFloatLinearNamesItsFeaturesAndAFloat64InputItsDtype() {
        try (Module model = new Sequential(new Linear(4, 3))) {
            assertEquals("0 (Linear): expected input [..., 4] float32, got [2, 5] float32",
                    assertThrows(ForwardException.class, () -> model.forward(manager.zeros(new Shape(2, 5)))).getMessage());
        }
        try (Module model = new Block()) {
            ForwardException dtype = assertThrows(ForwardException.class,
                    () -> model.forward(manager.zeros(new Shape(2, 3, 8, 8), DataType.FLOAT64)));
            assertEquals("conv1 (Conv2d): expected input [N, 3, H, W] or [3, H, W] float32, got [2, 3, 8, 8] float64",
                    dtype.getMessage());
        }
    }

    @Test
    void aQuantizedModelNamesTheQuantizedConvAndRefusesFloat64AtItsQuantStub() throws Exception {
        try (Module fp32 = new LpotModels.FusedRefNet()) {
            fp32.loadStateDict(TorchFiles.readStateDict(LPOT15_STATIC.resolve("fp32_sd.pt")), true);
            fp32.eval();
            try (QuantizedModel<?> int8 = Checkpoints.load(LPOT15_STATIC, fp32)) {
                ForwardException channels = assertThrows(ForwardException.class,
                        () -> int8.forward(manager.zeros(new Shape(2, 4, 8, 8))));
                assertEquals("conv (quantized.ConvReLU2d): expected input [N, 3, H, W] quantized, got [2, 4, 8, 8] quantized",
                        channels.getMessage());
                ForwardException rank = assertThrows(ForwardException.class,
                        () -> int8.forward(manager.zeros(new Shape(3, 8, 8))));
                assertEquals("conv", rank.modulePath());
                assertTrue(rank.getMessage().endsWith("got [3, 8, 8] quantized"), rank.getMessage());
                ForwardException dtype = assertThrows(ForwardException.class,
                        () -> int8.forward(manager.zeros(new Shape(2, 3, 8, 8), DataType.FLOAT64)));
                assertEquals("quant (quantized.Quantize): expected input float32, got [2, 3, 8, 8] float64",
                        dtype.getMessage());
                // and the model still serves a good input
                assertEquals(new Shape(2, 10), int8.forward(manager.zeros(new Shape(2, 3, 8, 8))).getShape());
            }
        }
    }

    @Test
    void aQuantizedLinearNamesItsFeaturesAndRefusesAFloatInput() {
        NDArray w = QuantizedKernels.quantizePerTensor(manager.ones(new Shape(10, 4)), 0.1, 0, DType.QINT8);
        try (Module fc = new io.qcheckpoint.nn.quantized.Linear(w, null, 0.1, 0)) {
            NDArray wide = QuantizedKernels.quantizePerTensor(manager.ones(new Shape(2, 5)), 0.1, 0, DType.QUINT8);
            assertEquals("quantized.Linear: expected input [..., 4] quantized, got [2, 5] quantized",
                    assertThrows(ForwardException.class, () -> fc.forward(wide)).getMessage());
            assertEquals("quantized.Linear: expected input [..., 4] quantized, got [2, 4] float32",
                    assertThrows(ForwardException.class, () -> fc.forward(manager.ones(new Shape(2, 4)))).getMessage());
        }
    }

    @Test
    void whatOnlyLibtorchCanTellIsReportedWithItsReasonAndThePath() {
        try (Module model = new Block()) {
            // the right channels, but smaller than the 3x3 kernel
            ForwardException e = assertThrows(ForwardException.class,
                    () -> model.forward(manager.zeros(new Shape(1, 3, 2, 2))));
            assertEquals("conv1", e.modulePath());
            assertTrue(e.getMessage().startsWith("conv1 (Conv2d): libtorch refused the input: "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertInstanceOf(EngineException.class, e.getCause());
        }
    }

    @Test
    void hooksDoNotChangeThePath() {
        try (Module model = new Block()) {
            ForwardException e = assertThrows(ForwardException.class, () -> ForwardHooks.run(model, List.of("conv1"),
                    manager.zeros(new Shape(2, 5, 8, 8)), (path, in, out) -> { }));
            assertEquals("conv1", e.modulePath());
        }
    }

    /** conv1 (3 -> 4 channels, 3x3), then fc (4 -> 3) over the channels: [N, 3, H, W] in, [N, H - 2, W - 2, 3] out. */
    public static final class Block extends Module {
        /** Creates it. */
        public Block() {
            register("conv1", new Conv2d(3, 4, 3));
            register("fc", new Linear(4, 3));
        }

        @Override
        public NDArray forward(NDArray x) {
            return call("fc", call("conv1", x).transpose(0, 2, 3, 1));
        }
    }
}
