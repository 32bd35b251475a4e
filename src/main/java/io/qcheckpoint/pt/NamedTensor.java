package io.qcheckpoint.pt;

/**
 * A tensor and the path that reaches it from a file's root: map keys and list or tuple indices
 * joined with dots, such as {@code fc._packed_params._packed_params.0}.
 *
 * @param key the dotted path ({@code ""} for a root tensor)
 * @param tensor the tensor
 */
public record NamedTensor(String key, Tensor tensor) {
}
