package io.qcheckpoint.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import io.qcheckpoint.nn.Module;
import java.io.IOException;

/**
 * Scores a model, higher is better: LPOT's {@code eval_func}, or its built-in top-1 accuracy on an
 * evaluation dataset. The tuner calls it with the fp32 model and with each candidate int8 model.
 */
@FunctionalInterface
public interface Evaluation {
    /**
     * Scores {@code model}.
     *
     * @param model the model, in eval mode; the evaluation must not close or change it
     * @return the score, higher is better
     * @throws Exception whatever the evaluation throws; the tuner stops with a {@link TuningException}
     */
    double evaluate(Module model) throws Exception;

    /**
     * Returns top-1 accuracy in [0, 1] over a DJL dataset whose batches hold one input (N, ...) and
     * one label array (N) of class indices; the model's output is (N, classes).
     *
     * @param dataset the evaluation data, iterated once per call
     * @return the evaluation
     */
    static Evaluation top1(Dataset dataset) {
        return model -> {
            long correct = 0;
            long total = 0;
            try (NDManager manager = NDManager.newBaseManager()) {
                for (Batch batch : dataset.getData(manager)) {
                    try (batch) {
                        long[] counts = top1(model, batch.getData(), batch.getLabels());
                        correct += counts[0];
                        total += counts[1];
                    }
                }
            } catch (IOException | TranslateException e) {
                throw new TuningException("reading the evaluation dataset failed: " + e.getMessage(), e);
            }
            if (total == 0) {
                throw new TuningException("the evaluation dataset is empty");
            }
            return (double) correct / total;
        };
    }

    private static long[] top1(Module model, NDList data, NDList labels) {
        NDArray predicted = model.forward(data.head()).argMax(1);
        NDArray expected = labels.head().toType(predicted.getDataType(), false).reshape(predicted.getShape());
        long correct = predicted.eq(expected).countNonzero().getLong();
        return new long[] {correct, predicted.size()};
    }
}
