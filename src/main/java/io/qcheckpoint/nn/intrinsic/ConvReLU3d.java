package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.Conv3d;
import io.qcheckpoint.nn.ReLU;

/** A {@code Conv3d} followed by a {@code ReLU}, as torch's {@code nn.intrinsic.ConvReLU3d}. */
public class ConvReLU3d extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param conv the {@code Conv3d}
     * @param relu the {@code ReLU}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public ConvReLU3d(Conv3d conv, ReLU relu) {
        super(exactly(conv, Conv3d.class), exactly(relu, ReLU.class));
    }
}
