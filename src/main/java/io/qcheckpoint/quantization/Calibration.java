package io.qcheckpoint.quantization;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.qcheckpoint.nn.DeQuantStub;
import io.qcheckpoint.nn.FloatFunctional;
import io.qcheckpoint.nn.Module;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Post-training calibration, as torch's {@code prepare} followed by calibration batches: a copy of
 * the model gets an activation observer on the output of every module that has a qconfig and a
 * quantized counterpart (DeQuantStub excluded, as in torch); FloatFunctional is observed through its
 * {@code activation_post_process} child, as torch does. {@link #outputQParams()} then feeds
 * {@link Quantizer#convert(Module, Calibration)}.
 */
public final class Calibration implements AutoCloseable {
    private final Module observed;
    private final Map<String, Observer> observers;

    private Calibration(Module observed, Map<String, Observer> observers) {
        this.observed = observed;
        this.observers = observers;
    }

    /**
     * Prepares a copy of {@code model} for calibration; {@code model} is not changed.
     *
     * @param model the float model (fused as it will be quantized), in eval mode
     * @param mappings the modules that will be converted
     * @param qconfigs each module path's qconfig
     * @return the calibration, owning the observed copy
     */
    static Calibration prepare(Module model, QuantizationMappings mappings, Map<String, QConfig> qconfigs) {
        Module copy = model.copy();
        Map<String, Observer> observers = new LinkedHashMap<>();
        for (Map.Entry<String, QConfig> e : qconfigs.entrySet()) {
            Module m = copy.namedModules().get(e.getKey());
            if (m == null || m instanceof DeQuantStub || mappings.factoryFor(m.getClass()) == null) {
                continue;
            }
            Observer o = e.getValue().activation().create();
            observers.put(e.getKey(), o);
            if (m instanceof FloatFunctional) {
                m.replace("activation_post_process", new ObserverModule(o)).close();
            } else {
                copy.replace(e.getKey(), new Observed(m, o));
            }
        }
        return new Calibration(copy, Collections.unmodifiableMap(observers));
    }

    /**
     * Runs one calibration batch through the observed model.
     *
     * @param batch the input; intermediates are freed before this returns
     */
    public void observe(NDArray batch) {
        try (NDManager scratch = batch.getManager().newSubManager()) {
            NDArray x = batch.duplicate();
            x.attach(scratch);
            observed.forward(x);
        }
    }

    /**
     * Runs every batch of {@code batches}.
     *
     * @param batches the calibration inputs
     */
    public void observeAll(Iterable<NDArray> batches) {
        for (NDArray b : batches) {
            observe(b);
        }
    }

    /** Returns each observed module's output qparams, by path, as torch's {@code calculate_qparams()}. */
    public Map<String, ObservedQParams> outputQParams() {
        Map<String, ObservedQParams> out = new LinkedHashMap<>();
        observers.forEach((path, o) -> out.put(path, o.calculateQParams()));
        return out;
    }

    /** Frees the observed copy. */
    @Override
    public void close() {
        observed.close();
    }

    /** A module followed by an observer of its output. */
    private static final class Observed extends Module {
        private final Observer observer;

        Observed(Module module, Observer observer) {
            this.observer = observer;
            register("module", module);
        }

        @Override
        public NDArray forward(NDArray input) {
            NDArray y = callInPlace("module", input);
            observer.observe(y);
            return y;
        }
    }

    /** An observer in the place of an Identity: torch's {@code activation_post_process}. */
    private static final class ObserverModule extends Module {
        private final Observer observer;

        ObserverModule(Observer observer) {
            this.observer = observer;
        }

        @Override
        public NDArray forward(NDArray input) {
            observer.observe(input);
            return input;
        }
    }
}
