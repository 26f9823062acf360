package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.packet.DropReason;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.StreamTransfer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** For any seed and any mix of loss, duplication and reordering up to 30%, a stream arrives exactly. */
class StreamProperties {

    @Property(tries = 40, seed = "4242")
    void streamArrivesExactly(@ForAll long seed,
                              @ForAll @DoubleRange(min = 0, max = 0.3) double loss,
                              @ForAll @DoubleRange(min = 0, max = 0.3) double duplicate,
                              @ForAll @DoubleRange(min = 0, max = 0.3) double reorder,
                              @ForAll @DoubleRange(min = 0, max = 0.05) double corrupt,
                              @ForAll @LongRange(min = 0, max = 4 << 20) long bytes) throws Exception {
        EnginePair p = new EnginePair(seed, Impairments.lossy(loss, duplicate, reorder).withCorrupt(corrupt),
                EngineConfig.DEFAULT.forHeavyLoss());
        assertTrue(p.connect(Mode.STREAM), "handshake");
        StreamTransfer t = new StreamTransfer(seed, bytes, p.client, p.server, 65536, 1);
        assertTrue(p.sim.runUntil(t::step, 3_600_000_000_000L),
                () -> "stuck after " + t.read + " of " + bytes + ": " + p.a.counters() + " / " + p.b.counters());
        assertEquals(-1, t.firstMismatch, "first wrong byte");
        assertEquals(bytes, t.read);
        assertTrue(t.eof);
        assertTrue(t.checksumsMatch());
        assertEquals(0, p.b.counters().dropped(DropReason.BAD_TOKEN));
    }

    @Property(tries = 10, seed = "77")
    void slowReaderKeepsMemoryBoundedAndLosesNothing(@ForAll long seed,
                                                     @ForAll @DoubleRange(min = 0, max = 0.3) double loss,
                                                     @ForAll @IntRange(min = 1, max = 4096) int readChunk,
                                                     @ForAll @IntRange(min = 1, max = 50) int readEvery) throws Exception {
        EngineConfig config = EngineConfig.DEFAULT.forHeavyLoss().withWindow(64).withBuffers(1 << 16, 1 << 14);
        EnginePair p = new EnginePair(seed, Impairments.lossy(loss, loss / 2, loss / 2), config);
        assertTrue(p.connect(Mode.STREAM));
        long bytes = 1 << 20;
        StreamTransfer t = new StreamTransfer(seed, bytes, p.client, p.server, readChunk, readEvery);
        assertTrue(p.sim.runUntil(t::step, 36_000_000_000_000L),
                () -> "stuck after " + t.read + ": " + p.a.counters() + " / " + p.b.counters());
        assertEquals(-1, t.firstMismatch);
        assertEquals(bytes, t.read);
        long bound = config.receiveBufferBytes() + (long) config.window() * (Impairments.DEFAULT_MTU - 32);
        assertTrue(t.maxBuffered <= bound, "buffered " + t.maxBuffered + " > " + bound);
        assertTrue(t.maxBuffered >= config.receiveBufferBytes(), "the reader was never slow enough: " + t.maxBuffered);
        assertEquals(0, p.b.counters().dropped(DropReason.OUTSIDE_WINDOW), "sender overran the window");
        assertTrue(p.a.counters().get(Counter.PACKETS_SENT) > 0);
    }
}
