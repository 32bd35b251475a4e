package io.qcheckpoint.nn.intrinsic;

import io.qcheckpoint.nn.BatchNorm2d;
import io.qcheckpoint.nn.Conv2d;

/**
 * A {@code Conv2d} followed by a {@code BatchNorm2d}, as torch's {@code nn.intrinsic.ConvBn2d}: what
 * QAT fusion makes; the batch norm stays a module of its own.
 */
public class ConvBn2d extends FusedModule {
    /**
     * Joins the modules; they become children {@code "0"}, {@code "1"}, ... of this one.
     *
     * @param conv the {@code Conv2d}
     * @param bn the {@code BatchNorm2d}
     * @throws IllegalArgumentException if a module is not exactly of its type
     */
    public ConvBn2d(Conv2d conv, BatchNorm2d bn) {
        super(exactly(conv, Conv2d.class), exactly(bn, BatchNorm2d.class));
    }
}
