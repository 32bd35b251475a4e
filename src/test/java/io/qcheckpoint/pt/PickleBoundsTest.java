package io.qcheckpoint.pt;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The documented limits hold exactly at their edges, and shared objects are counted as the tree they
 * unfold into, in time proportional to the objects themselves (the corpus under fixtures/bad has the
 * hostile files; these are the edges).
 */
class PickleBoundsTest {
    @Test
    void nestingIsAllowedUpToTheLimitAndRefusedPastIt() {
        assertDoesNotThrow(() -> PickleBounds.check(nested(PickleBounds.MAX_DEPTH), "f"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> PickleBounds.check(nested(PickleBounds.MAX_DEPTH + 1), "f"));
        assertTrue(e.getMessage().contains("nest deeper than 1000"), e.getMessage());
        assertTrue(e.getMessage().startsWith("f"), e.getMessage());
    }

    @Test
    void sharedObjectsCountAsTheTreeTheyUnfoldInto() {
        // 2^21 leaves plus 2^21 - 1 lists: within the 2^22 element budget; one level more is past it
        assertDoesNotThrow(() -> PickleBounds.check(dag(21), "f"));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> PickleBounds.check(dag(22), "f"));
        assertTrue(e.getMessage().contains("unfold into more than"), e.getMessage());
        // 2^60 leaves are refused as fast: each shared list is counted once
        assertThrows(CheckpointFormatException.class, () -> PickleBounds.check(dag(60), "f"));
    }

    @Test
    void contentCountsEveryReferenceToAString() {
        String big = "k".repeat(1 << 20);
        List<Object> within = new ArrayList<>();
        List<Object> past = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            within.add(big);
            past.add(big);
        }
        within.remove(0);
        past.add(new byte[1]);
        assertDoesNotThrow(() -> PickleBounds.check(within, "f"));
        assertThrows(CheckpointFormatException.class, () -> PickleBounds.check(past, "f"));
    }

    @Test
    void aContainerThatContainsItselfIsRefused() {
        List<Object> list = new ArrayList<>();
        Map<Object, Object> dict = new LinkedHashMap<>();
        dict.put("list", list);
        list.add(dict);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> PickleBounds.check(Tuple.of(dict), "f"));
        assertTrue(e.getMessage().contains("contains itself"), e.getMessage());
        OrderedDict withAttribute = new OrderedDict();
        withAttribute.attributes().put("_metadata", withAttribute);
        assertThrows(CheckpointFormatException.class, () -> PickleBounds.check(withAttribute, "f"));
    }

    private static Object nested(int depth) {
        Object o = "leaf";
        for (int i = 0; i < depth; i++) {
            List<Object> l = new ArrayList<>();
            l.add(o);
            o = l;
        }
        return o;
    }

    private static Object dag(int levels) {
        Object o = "leaf";
        for (int i = 0; i < levels; i++) {
            o = List.of(o, o);
        }
        return o;
    }
}
