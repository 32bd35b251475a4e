package io.qcheckpoint.config;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Python's {@code repr(float)} in Java, which PyYAML and Python's {@code json} module both use to
 * write floats.
 *
 * <p>Java 17's {@link Double#toString(double)} is not a substitute: it writes {@code 1.0E-5} where
 * Python writes {@code 1e-05}, and it does not always give the shortest digits that read back to
 * the same double (JDK-4511638, fixed only in Java 19).
 */
public final class PythonFloats {
    /** Python switches to exponent notation below this decimal-point position ({@code 1e-05})... */
    private static final int MIN_FIXED_DECPT = -3;
    /** ...and above this one ({@code 1e+16}). */
    private static final int MAX_FIXED_DECPT = 16;

    private PythonFloats() {
    }

    /**
     * Returns {@code repr(x)} as CPython 3 writes it: the shortest digits that read back as
     * {@code x} (the closest such when there are several), in fixed notation when
     * {@code 1e-4 <= |x| < 1e16} ({@code 0.0001}, {@code 7.0}, {@code 1234.5}) and otherwise as
     * {@code d.ddde-05} / {@code de+16}; {@code inf}, {@code -inf}, {@code nan}, {@code -0.0}.
     *
     * @param x the value
     * @return Python's text for it
     */
    public static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        String sign = (Double.doubleToRawLongBits(x) < 0) ? "-" : "";
        if (x == 0) {
            return sign + "0.0";
        }
        BigDecimal shortest = shortest(Math.abs(x)).stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int decpt = digits.length() - shortest.scale();
        return sign + (decpt < MIN_FIXED_DECPT || decpt > MAX_FIXED_DECPT ? exponent(digits, decpt) : fixed(digits, decpt));
    }

    /** The fewest significant digits that round-trip; at a tie in length, the candidate nearest x. */
    private static BigDecimal shortest(double x) {
        BigDecimal exact = new BigDecimal(x);
        for (int p = 1; p < 17; p++) {
            BigDecimal nearest = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (roundTrips(nearest, x)) {
                return nearest;
            }
            // Just above a power of two the gap below x is half the gap above, so the nearest p-digit
            // decimal can miss while the one on the other side still reads back as x.
            for (RoundingMode other : new RoundingMode[] {RoundingMode.DOWN, RoundingMode.UP}) {
                BigDecimal candidate = exact.round(new MathContext(p, other));
                if (!candidate.equals(nearest) && roundTrips(candidate, x)) {
                    return candidate;
                }
            }
        }
        return exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
    }

    private static boolean roundTrips(BigDecimal candidate, double x) {
        return Double.parseDouble(candidate.toString()) == x;
    }

    private static String fixed(String digits, int decpt) {
        if (decpt <= 0) {
            return "0." + "0".repeat(-decpt) + digits;
        }
        if (decpt < digits.length()) {
            return digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        return digits + "0".repeat(decpt - digits.length()) + ".0";
    }

    private static String exponent(String digits, int decpt) {
        int e = decpt - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String exp = Integer.toString(Math.abs(e));
        return mantissa + "e" + (e < 0 ? "-" : "+") + (exp.length() < 2 ? "0" + exp : exp);
    }
}
