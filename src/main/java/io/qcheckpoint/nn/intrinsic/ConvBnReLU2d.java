package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;
import io.qcheckpoint.nn.ReLU;

/**
 * A {@code Conv2d}, a {@code BatchNorm2d} and a {@code ReLU}, as torch's
 * {@code nn.intrinsic.ConvBnReLU2d}: what QAT fusion makes.
 */
public class ConvBnReLU2d extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param conv the {@code Conv2d}
     * @param bn the {@code BatchNorm2d}
     * @param relu the {@code ReLU}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public ConvBnReLU2d(Conv2d conv, BatchNorm2d bn, ReLU relu) {
        super(exactly(conv, Conv2d.class), exactly(bn, BatchNorm2d.class), exactly(relu, ReLU.class));
    }
}
