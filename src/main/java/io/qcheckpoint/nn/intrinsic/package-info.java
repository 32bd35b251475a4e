/**
 * Fused float modules, as torch's {@code nn.intrinsic}: sequences that fusion joins so that
 * quantization treats them as one op (ConvReLU, LinearReLU) or QAT trains them together (ConvBn).
 */
package io.qcheckpoint.nn.intrinsic;
