/**
 * The public API a service uses: {@link io.qcheckpoint.Checkpoints#load} rebuilds the int8 model of an
 * LPOT / Neural Compressor checkpoint on a float model; {@link io.qcheckpoint.QuantizedModel} (sealed
 * over {@link io.qcheckpoint.EagerQuantizedModel} and {@link io.qcheckpoint.IpexQuantizedModel}) runs
 * and saves it; {@link io.qcheckpoint.LoadOptions} and {@link io.qcheckpoint.CheckpointFormat} say how
 * to read it; the exceptions say what went wrong. The family's root, {@link
 * io.qcheckpoint.pt.CheckpointException}, lives in {@code pt}, the lowest layer.
 */
package io.qcheckpoint;
