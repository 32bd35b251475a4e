package io.qcheckpoint.tuning;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.dataset.Batch;
import ai.djl.training.dataset.Dataset;
import ai.djl.translate.TranslateException;
import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Calibration inputs from other sources than an {@code Iterable<NDArray>}. */
public final class CalibrationData {
    private CalibrationData() {
    }

    /**
     * Returns the inputs of a DJL dataset: the first array of each batch's data, in the dataset's
     * order. Each iteration reads the dataset anew; a batch lives until the next one is taken, and
     * the last until the iteration ends.
     *
     * @param dataset the dataset
     * @return the inputs
     */
    public static Iterable<NDArray> inputs(Dataset dataset) {
        return () -> new DatasetIterator(dataset);
    }

    /** Walks one pass over a dataset, freeing each batch when the next is taken. */
    private static final class DatasetIterator implements Iterator<NDArray> {
        private final NDManager manager = NDManager.newBaseManager();
        private final Iterator<Batch> batches;
        private Batch current;

        DatasetIterator(Dataset dataset) {
            try {
                batches = dataset.getData(manager).iterator();
            } catch (IOException | TranslateException e) {
                manager.close();
                throw new TuningException("reading the calibration dataset failed: " + e.getMessage(), e);
            }
        }

        @Override
        public boolean hasNext() {
            boolean more = batches.hasNext();
            if (!more) {
                closeCurrent();
                manager.close();
            }
            return more;
        }

        @Override
        public NDArray next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            closeCurrent();
            current = batches.next();
            return current.getData().head();
        }

        private void closeCurrent() {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }
}
