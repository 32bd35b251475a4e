package io.qcheckpoint.config;

/**
 * The serializer's events for one document, as PyYAML's serializer hands them to its emitter
 * (no anchors, no styles: every scalar asks for plain and lets the emitter decide).
 */
sealed interface YamlEvent {
    /**
     * A scalar.
     *
     * @param tag its full tag
     * @param plainImplicit whether the tag may be omitted if the scalar is written plain
     * @param quotedImplicit whether the tag may be omitted if the scalar is written quoted
     * @param value its text
     */
    record Scalar(String tag, boolean plainImplicit, boolean quotedImplicit, String value) implements YamlEvent {
    }

    /**
     * The start of a sequence.
     *
     * @param tag its full tag
     * @param implicit whether the tag may be omitted
     */
    record SequenceStart(String tag, boolean implicit) implements YamlEvent {
    }

    /** The end of a sequence. */
    record SequenceEnd() implements YamlEvent {
    }

    /**
     * The start of a mapping.
     *
     * @param tag its full tag
     * @param implicit whether the tag may be omitted
     */
    record MappingStart(String tag, boolean implicit) implements YamlEvent {
    }

    /** The end of a mapping. */
    record MappingEnd() implements YamlEvent {
    }
}
