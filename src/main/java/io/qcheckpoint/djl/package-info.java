/**
 * QCheckpoint in DJL's serving API: a loaded int8 model as a DJL {@link ai.djl.nn.Block}
 * ({@link io.qcheckpoint.djl.QuantizedBlock}), so that DJL's {@code Model}, {@code Translator} and
 * {@code Predictor} serve it, and LPOT checkpoints loaded through DJL's {@code Criteria}: from a model
 * path with {@link io.qcheckpoint.djl.LpotBlockFactory}, or from the registered
 * {@link io.qcheckpoint.djl.LpotModelZoo}. Depends on the root package; nothing below depends on it.
 */
package io.qcheckpoint.djl;
