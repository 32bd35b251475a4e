/**
 * Eager-mode quantization as {@code torch.ao.quantization}: {@link io.qcheckpoint.quantization.QConfig},
 * observers with torch's qparam formulas, fusion, qconfig propagation, fp32 fallback, and the
 * {@link io.qcheckpoint.quantization.Quantizer} facade over prepare/calibration/convert, which swaps
 * modules through the {@link io.qcheckpoint.quantization.QuantizationMappings} table.
 */
package io.qcheckpoint.quantization;
