/**
 * Dynamic int8 modules, as {@code torch.ao.nn.quantized.dynamic}: Linear and LinearReLU with int8
 * (or float16) weights and activations quantized on the fly.
 */
package io.qcheckpoint.nn.quantized.dynamic;
