package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.Linear;
import io.qcheckpoint.nn.ReLU;

/** A {@code Linear} followed by a {@code ReLU}, as torch's {@code nn.intrinsic.LinearReLU}. */
public class LinearReLU extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param linear the {@code Linear}
     * @param relu the {@code ReLU}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public LinearReLU(Linear linear, ReLU relu) {
        super(exactly(linear, Linear.class), exactly(relu, ReLU.class));
    }
}
