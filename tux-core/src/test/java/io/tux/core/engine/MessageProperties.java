package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.MessageTransfer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** For any seed and mix of impairments up to 30%, every message arrives exactly once, whole. */
class MessageProperties {

    @Property(tries = 30, seed = "9001")
    void messagesArriveExactlyOnceWithBoundaries(@ForAll long seed,
                                                 @ForAll @DoubleRange(min = 0, max = 0.3) double loss,
                                                 @ForAll @DoubleRange(min = 0, max = 0.3) double duplicate,
                                                 @ForAll @DoubleRange(min = 0, max = 0.3) double reorder,
                                                 @ForAll @IntRange(min = 0, max = 2000) int count,
                                                 @ForAll @IntRange(min = 8, max = 65536) int maxLength) throws Exception {
        EnginePair p = new EnginePair(seed, Impairments.lossy(loss, duplicate, reorder), EngineConfig.DEFAULT.forHeavyLoss());
        assertTrue(p.connect(Mode.MESSAGE));
        MessageTransfer t = new MessageTransfer(seed, count, maxLength, p.client, p.server);
        assertTrue(p.sim.runUntil(t::step, 3_600_000_000_000L),
                () -> "stuck after " + t.received + " of " + count + ": " + p.a.counters() + " / " + p.b.counters());
        assertTrue(t.eof);
        assertEquals(0, t.corrupt, "corrupt or cut messages");
        assertEquals(0, t.duplicates, "duplicated messages");
        assertEquals(count, t.received);
        assertTrue(t.allReceivedOnce());
    }
}
