package io.qcheckpoint.torchscript;

import ai.djl.ndarray.types.DataType;
import java.util.Map;

/**
 * The dtypes compiled code may name, by their {@code c10::ScalarType} code (torch's code printer writes
 * {@code x.to(torch.float32)} as {@code torch.to(x, 6)}). Only dtypes DJL's PyTorch engine converts to
 * safely are listed: int16, bfloat16 and the unsigned wide types abort the JVM there.
 */
final class ScalarTypes {
    private static final Map<Long, DataType> TABLE = Map.of(
            0L, DataType.UINT8, 1L, DataType.INT8, 3L, DataType.INT32, 4L, DataType.INT64,
            6L, DataType.FLOAT32, 7L, DataType.FLOAT64, 11L, DataType.BOOLEAN);

    private ScalarTypes() {
    }

    /**
     * Returns the DJL dtype of a ScalarType code.
     *
     * @param code the code, a Long
     * @return the dtype
     * @throws IllegalArgumentException if the code is not in the table
     */
    static DataType dataType(Object code) {
        DataType type = TABLE.get(Values.integer(code));
        if (type == null) {
            throw new IllegalArgumentException("dtype " + Values.describe(code) + " is not supported; supported: "
                    + "uint8 (0), int8 (1), int32 (3), int64 (4), float32 (6), float64 (7), bool (11)");
        }
        return type;
    }
}
