/**
 * The kernels layer: the only place that touches libtorch, through DJL's PyTorch engine. It moves
 * tensor data between the {@code pt} layer and DJL {@code NDArray}s, never handing DJL a type that
 * would abort the JVM.
 */
package io.qcheckpoint.kernels;
