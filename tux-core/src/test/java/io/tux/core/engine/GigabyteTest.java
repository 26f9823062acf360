package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.StreamTransfer;
import org.junit.jupiter.api.Test;

/** The largest case the issue names: one gigabyte through 30% loss, 30% duplication and 30% reordering. */
class GigabyteTest {

    @Test
    void oneGigabyteArrivesExactlyThroughThirtyPercentOfEverything() throws Exception {
        long bytes = Long.getLong("tux.test.gigabyte.bytes", 1L << 30);
        EnginePair p = new EnginePair(1234, Impairments.lossy(0.3, 0.3, 0.3), EngineConfig.DEFAULT.forHeavyLoss());
        assertTrue(p.connect(Mode.STREAM));
        StreamTransfer t = new StreamTransfer(99, bytes, p.client, p.server, 1 << 16, 1);
        long t0 = System.nanoTime();
        assertTrue(p.sim.runUntil(t::step, Long.MAX_VALUE / 4), () -> "stuck after " + t.read);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(-1, t.firstMismatch);
        assertEquals(bytes, t.read);
        assertTrue(t.eof);
        assertTrue(t.checksumsMatch());
        System.out.printf("GigabyteTest: %d bytes in %d ms wall, %.1f s virtual; %s; %s; %s%n", bytes, ms,
                p.sim.clock().nanoTime() / 1e9, p.sim.network(), p.a.counters(), p.b.counters());
    }
}
