package io.qcheckpoint.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.qcheckpoint.testing.PythonYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link PythonFloats#repr} is Python's repr(float), checked by hand and against CPython on many doubles. */
class PythonFloatsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0|0.0", "-0.0|-0.0", "7.0|7.0", "0.1|0.1", "1e-05|1e-05", "1e-4|0.0001", "0.00011|0.00011",
        "1e16|1e+16", "9999999999999998.0|9999999999999998.0", "1e15|1000000000000000.0", "1e20|1e+20",
        "123456789.0|123456789.0", "5e-324|5e-324", "1.7976931348623157e308|1.7976931348623157e+308",
        "0.30000000000000004|0.30000000000000004", "1.5e-7|1.5e-07", "-2.5e300|-2.5e+300",
        // Java 17's Double.toString gives 2.82879384806159008E17 here (JDK-4511638): not the shortest
        "2.82879384806159e17|2.82879384806159e+17"})
    void knownValues(double x, String python) {
        assertEquals(python, PythonFloats.repr(x));
    }

    @Test
    void nonFinite() {
        assertEquals("inf", PythonFloats.repr(Double.POSITIVE_INFINITY));
        assertEquals("-inf", PythonFloats.repr(Double.NEGATIVE_INFINITY));
        assertEquals("nan", PythonFloats.repr(Double.NaN));
    }

    @Test
    void javaToStringIsNotAlwaysShortest() {
        // why this class exists: the JDK's digits differ from Python's for this double
        assertNotEquals("2.82879384806159E17", Double.toString(2.82879384806159e17));
    }

    @Test
    void agreesWithCPythonOnTwentyThousandDoubles() throws Exception {
        PythonYaml.require();
        Random r = new Random(42);
        List<Double> xs = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            xs.add(Double.longBitsToDouble(r.nextLong()));           // every exponent
            xs.add((float) r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20)); // float32 values, as IPEX gives
        }
        for (int e = -330; e <= 310; e++) {                              // notation boundaries
            xs.add(Math.pow(10, e));
            xs.add(Math.nextUp(Math.pow(10, e)));
            xs.add(Math.nextDown(Math.pow(10, e)));
            xs.add(Math.scalb(1.0, e));                                  // powers of two: uneven rounding gaps
        }
        xs.add(Double.MIN_VALUE);
        xs.add(Double.MIN_NORMAL);
        xs.add(Double.MAX_VALUE);
        StringBuilder in = new StringBuilder();
        xs.forEach(x -> in.append(String.format("%016x%n", Double.doubleToRawLongBits(x))));
        Path file = dir.resolve("doubles.txt");
        Files.writeString(file, in);
        String[] python = PythonYaml.run("config_fixtures.py", "repr", file.toString()).split("\n");
        assertEquals(xs.size(), python.length);
        for (int i = 0; i < xs.size(); i++) {
            double x = xs.get(i);
            assertEquals(python[i], PythonFloats.repr(x), () -> "bits " + Long.toHexString(Double.doubleToRawLongBits(x)));
        }
    }
}
