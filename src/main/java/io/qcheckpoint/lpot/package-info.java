/**
 * LPOT's eager PyTorch semantics: the ops it lists and their config types ({@link
 * io.qcheckpoint.lpot.LpotOps}), tune config to qconfigs, the rebuild and quantize steps of its
 * {@code load} and {@code quantize} ({@link io.qcheckpoint.lpot.EagerRebuild}), its {@code
 * REDUCE_RANGE} choice ({@link io.qcheckpoint.lpot.CpuInfo}), and the checkpoint directory: the file
 * names, the crash-safe save protocol and the link check.
 */
package io.qcheckpoint.lpot;
