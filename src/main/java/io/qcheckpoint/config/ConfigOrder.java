package io.qcheckpoint.config;

/** Python's ordering of str keys, which PyYAML's {@code sort_keys} uses for the top-level mapping. */
final class ConfigOrder {
    private ConfigOrder() {
    }

    /**
     * Compares by Unicode code point, as Python compares str; {@link String#compareTo} compares
     * UTF-16 units, which orders characters past U+FFFF before U+E000..U+FFFF.
     *
     * @param a one string
     * @param b the other
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
     */
    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
