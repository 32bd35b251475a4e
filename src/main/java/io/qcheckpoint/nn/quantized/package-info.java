/**
 * Static int8 modules, as {@code torch.ao.nn.quantized}: Quantize, DeQuantize, Conv, Linear, their
 * fused ReLU forms, QFunctional and the rest, running libtorch's own int8 kernels through {@code
 * kernels}; {@link io.qcheckpoint.nn.quantized.QuantizedWeights} builds the int8 weights they are
 * made from.
 */
package io.qcheckpoint.nn.quantized;
