package io.qcheckpoint.djl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.modality.Classifications;
import ai.djl.modality.cv.Image;
import ai.djl.modality.cv.ImageFactory;
import ai.djl.modality.cv.transform.ToTensor;
import ai.djl.modality.cv.translator.ImageClassificationTranslator;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.Batchifier;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import ai.djl.translate.Translator;
import ai.djl.translate.TranslatorContext;
import io.qcheckpoint.QuantizedModel;
import io.qcheckpoint.nn.quantized.QuantizedModelsTestSupport;
import io.qcheckpoint.pt.Tensor;
import io.qcheckpoint.pt.TorchFiles;
import io.qcheckpoint.testing.PythonTorch;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loaded checkpoint served through DJL's {@link Model} and {@link Predictor}: the outputs are
 * {@link QuantizedModel#forward}'s to the bit (the same kernels on the same input), and within one
 * output step of torch's.
 */
class QuantizedBlockTest {
    @TempDir
    Path dir;

    @Test
    void aPredictorGivesTheModelsOutputsBitForBit() throws Exception {
        try (QuantizedModel<?> reference = LpotCase.load(); NDManager m = NDManager.newBaseManager();
                Model model = QuantizedBlock.newModel("lpot", LpotCase.load());
                Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
            float[] expected = reference.forward(LpotCase.input(m)).toFloatArray();
            float[] actual = predictor.predict(new NDList(LpotCase.input(m))).head().toFloatArray();
            assertArrayEquals(expected, actual, "Predictor against QuantizedModel.forward");
            LpotCase.assertTorchsOutput(actual, "the Predictor's output");
        }
    }

    /** The user's own translator: one image as float[3 * 8 * 8] in, ten logits out, batched by DJL's stack batchifier. */
    private static final class LogitsTranslator implements Translator<float[], float[]> {
        @Override
        public NDList processInput(TranslatorContext ctx, float[] image) {
            return new NDList(ctx.getNDManager().create(image, new Shape(3, 8, 8)));
        }

        @Override
        public float[] processOutput(TranslatorContext ctx, NDList list) {
            return list.head().toFloatArray();
        }

        @Override
        public Batchifier getBatchifier() {
            return Batchifier.STACK;
        }
    }

    @Test
    void batchPredictWithTheUsersTranslatorGivesTheBatchsOutputs() throws Exception {
        float[] images = LpotCase.input().toFloatArray();
        int size = images.length / 2;
        try (QuantizedModel<?> reference = LpotCase.load(); NDManager m = NDManager.newBaseManager();
                Model model = QuantizedBlock.newModel("lpot", LpotCase.load());
                Predictor<float[], float[]> predictor = model.newPredictor(new LogitsTranslator())) {
            List<float[]> answers = predictor.batchPredict(List.of(Arrays.copyOfRange(images, 0, size),
                    Arrays.copyOfRange(images, size, 2 * size)));
            float[] expected = reference.forward(LpotCase.input(m)).toFloatArray();
            assertEquals(2, answers.size());
            assertArrayEquals(Arrays.copyOfRange(expected, 0, 10), answers.get(0), "first image");
            assertArrayEquals(Arrays.copyOfRange(expected, 10, 20), answers.get(1), "second image");
        }
    }

    /**
     * DJL's image classification translator (pixels to a float tensor, as torchvision's ToTensor)
     * in front of the int8 model. torch makes the image and the tensor it stands for; the logits
     * equal forward's on torch's tensor bit for bit, and torch's own within one output step.
     */
    @Test
    void djlsImageClassificationTranslatorServesTheModel() throws Exception {
        PythonTorch.require();
        PythonTorch.Result made = PythonTorch.runPython(List.of("-c", String.join("\n",
                "import sys, torch",
                "px = torch.randint(0, 256, (8, 8, 3), generator=torch.Generator().manual_seed(14), dtype=torch.uint8)",
                "torch.save(px, sys.argv[1] + '/pixels.pt')",
                "torch.save(px.permute(2, 0, 1).float().div(255).unsqueeze(0), sys.argv[1] + '/input.pt')"), dir.toString()));
        assertEquals(0, made.exitCode(), made.stderr());
        Path torchOut = dir.resolve("torch_out.pt");
        PythonTorch.run("lpot_models.py", "check", LpotCase.DIR.toString(), LpotCase.NAME, dir.resolve("input.pt").toString(),
                torchOut.toString());
        float[] torch = ((Tensor) TorchFiles.read(torchOut).root()).toFloatArray();

        List<String> classes = IntStream.range(0, 10).mapToObj(Integer::toString).toList();
        ImageClassificationTranslator translator = ImageClassificationTranslator.builder()
                .addTransform(new ToTensor()).optSynset(classes).optApplySoftmax(false).optTopK(10).build();
        try (QuantizedModel<?> reference = LpotCase.load(); NDManager m = NDManager.newBaseManager();
                Model model = QuantizedBlock.newModel("lpot", LpotCase.load());
                Predictor<Image, Classifications> predictor = model.newPredictor(translator)) {
            Classifications c = predictor.predict(image(dir.resolve("pixels.pt")));
            float[] logits = floats(c.getProbabilities());
            assertEquals(classes, c.getClassNames());
            NDArray input = m.create(((Tensor) TorchFiles.read(dir.resolve("input.pt")).root()).toFloatArray(), new Shape(1, 3, 8, 8));
            assertArrayEquals(reference.forward(input).toFloatArray(), logits, "the translator's logits against forward on torch's tensor");
            // within one step, not 99% exact: torch 1.13 and libtorch 2.7 may pick different int8 kernels (TorchOutputs)
            QuantizedModelsTestSupport.assertWithinSteps(torch, logits, LpotCase.outputScale(), 1, "DJL's image classification");
        }
    }

    @Test
    void theBlockRefusesTrainingAndAListOfTwo() throws Exception {
        try (NDManager m = NDManager.newBaseManager(); Model model = QuantizedBlock.newModel("lpot", LpotCase.load());
                Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
            TranslateException two = assertThrows(TranslateException.class,
                    () -> predictor.predict(new NDList(LpotCase.input(m), LpotCase.input(m))));
            assertTrue(two.getCause().getMessage().contains("takes one input, got 2"), two::toString);
            UnsupportedOperationException training = assertThrows(UnsupportedOperationException.class,
                    () -> model.getBlock().forward(new ai.djl.training.ParameterStore(m, false), new NDList(LpotCase.input(m)), true));
            assertTrue(training.getMessage().contains("only infers"));
            assertEquals(new Shape(2, 10), model.getBlock().getOutputShapes(new Shape[] {new Shape(2, 3, 8, 8)})[0]);
        }
    }

    @Test
    void closingTheDjlModelClosesTheInt8Model() throws Exception {
        QuantizedModel<?> int8 = LpotCase.load();
        Model model = QuantizedBlock.newModel("owner", int8);
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(int8, ((QuantizedBlock) model.getBlock()).model());
            int8.forward(LpotCase.input(m));    // open while the DJL model is
            model.close();
            // its native weights are freed: libtorch refuses to run on them
            assertThrows(RuntimeException.class, () -> int8.forward(LpotCase.input(m)), "the DJL model closed the int8 model");
        }
    }

    /** Reads torch's uint8 [H, W, 3] tensor into a DJL image. */
    private static Image image(Path pixels) throws java.io.IOException {
        Tensor t = (Tensor) TorchFiles.read(pixels).root();
        int h = (int) t.shape()[0];
        int w = (int) t.shape()[1];
        ByteBuffer data = t.data();
        int[] argb = new int[h * w];
        for (int i = 0; i < argb.length; i++) {
            int r = data.get(3 * i) & 0xff;
            int g = data.get(3 * i + 1) & 0xff;
            int b = data.get(3 * i + 2) & 0xff;
            argb[i] = 0xff000000 | r << 16 | g << 8 | b;
        }
        return ImageFactory.getInstance().fromPixels(argb, w, h);
    }

    private static float[] floats(List<Double> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).floatValue();
        }
        return out;
    }
}
