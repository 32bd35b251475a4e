package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.Conv1d;
import io.qcheckpoint.nn.ReLU;

/** A {@code Conv1d} followed by a {@code ReLU}, as torch's {@code nn.intrinsic.ConvReLU1d}. */
public class ConvReLU1d extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param conv the {@code Conv1d}
     * @param relu the {@code ReLU}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public ConvReLU1d(Conv1d conv, ReLU relu) {
        super(exactly(conv, Conv1d.class), exactly(relu, ReLU.class));
    }
}
