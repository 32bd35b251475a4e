/**
 * Torch files without torch: reading and writing what {@code torch.save} writes (zip and legacy
 * formats), a safe pickle subset with an allowlist table and size bounds, tensors of every dtype
 * including quantized ones, and state dicts with their {@code _metadata}. The lowest layer: it knows
 * nothing else of the project and nothing of DJL; the exception family's root lives here.
 */
package io.qcheckpoint.pt;
