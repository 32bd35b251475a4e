package io.qcheckpoint.config;

import java.util.Optional;

/**
 * A constant of the tune config that LPOT spells as a string ({@code minmax}, {@code per_channel},
 * ...): the enums of this package implement it and share one lookup.
 */
public interface ConfigValue {
    /** Returns the text LPOT writes for this constant. */
    String value();

    /**
     * Returns the constant of {@code type} spelled {@code text}.
     *
     * @param type the enum
     * @param text the value from the file, may be null
     * @param <E> the enum type
     * @return the constant, or empty for a value LPOT does not write
     */
    static <E extends Enum<E> & ConfigValue> Optional<E> parse(Class<E> type, String text) {
        for (E v : type.getEnumConstants()) {
            if (v.value().equals(text)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }
}
