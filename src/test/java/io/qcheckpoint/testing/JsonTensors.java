package io.qcheckpoint.testing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Tensors that the Python oracles print as JSON: float32 values as their IEEE bits, so they arrive
 * exactly, and {@code {"shape": [...], "bits": [...]}} objects.
 */
public final class JsonTensors {
    private JsonTensors() {
    }

    /**
     * Reads float32 values from their bits.
     *
     * @param bits a JSON array of unsigned 32-bit IEEE patterns
     * @return the values
     */
    public static float[] floats(JsonNode bits) {
        float[] f = new float[bits.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = Float.intBitsToFloat((int) bits.get(i).asLong());
        }
        return f;
    }

    /**
     * Reads a {@code {"shape", "bits"}} object into a float32 array.
     *
     * @param manager the owner of the new array
     * @param tensor the object
     * @return the array
     */
    public static NDArray array(NDManager manager, JsonNode tensor) {
        JsonNode dims = tensor.get("shape");
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = dims.get(i).asLong();
        }
        return manager.create(floats(tensor.get("bits")), new Shape(shape));
    }
}
