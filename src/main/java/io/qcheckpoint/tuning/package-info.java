/**
 * Tuning in Java: calibration data, evaluations, LPOT's accuracy criterion and its "basic" strategy
 * (int8 everywhere, then fp32 fallback until the criterion holds), producing an {@link
 * io.qcheckpoint.EagerQuantizedModel}. Loading never needs it.
 */
package io.qcheckpoint.tuning;
