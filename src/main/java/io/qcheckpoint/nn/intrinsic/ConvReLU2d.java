package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ReLU;

/** A {@code Conv2d} followed by a {@code ReLU}, as torch's {@code nn.intrinsic.ConvReLU2d}. */
public class ConvReLU2d extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param conv the {@code Conv2d}
     * @param relu the {@code ReLU}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public ConvReLU2d(Conv2d conv, ReLU relu) {
        super(exactly(conv, Conv2d.class), exactly(relu, ReLU.class));
    }
}
