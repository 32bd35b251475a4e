/**
 * An eager module tree that mirrors {@code torch.nn}: the same class names, child names and state-dict
 * keys, so that torch's state dicts load strictly. Float modules here; fused ones in {@code
 * nn.intrinsic}, quantized ones in {@code nn.quantized}. Modules own their NDArrays and are closed.
 */
package io.qcheckpoint.nn;
