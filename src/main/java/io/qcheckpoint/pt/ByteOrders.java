package io.qcheckpoint.pt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Byte swapping for storages written big-endian. */
final class ByteOrders {
    private ByteOrders() {
    }

    /** Returns a new little-endian buffer holding {@code src}'s scalars of {@code unit} bytes reversed. */
    static ByteBuffer swapped(ByteBuffer src, int unit) {
        int n = src.remaining();
        ByteBuffer out = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        int base = src.position();
        for (int i = 0; i + unit <= n; i += unit) {
            for (int j = 0; j < unit; j++) {
                out.put(i + j, src.get(base + i + unit - 1 - j));
            }
        }
        return out;
    }
}
