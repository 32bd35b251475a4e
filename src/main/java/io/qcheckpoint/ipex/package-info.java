/**
 * LPOT's IPEX 1.x backend: rebuilding an int8 model from a {@code best_configure.json} calibration
 * list on the float model, and calibrating a float model into such a list.
 */
package io.qcheckpoint.ipex;
