package io.qcheckpoint.nn;

import java.util.List;

/**
 * What a non-strict {@link Module#loadStateDict} left out, as torch's {@code _IncompatibleKeys}.
 *
 * @param missingKeys keys the module tree has and the state dict lacks
 * @param unexpectedKeys keys the state dict has and the module tree lacks
 */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys) {
    /** Copies both lists. */
    public LoadResult {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }
}
