package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.packet.DropReason;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.StreamTransfer;
import org.junit.jupiter.api.Test;

class StreamTest {

    @Test
    void handshakeEstablishesBothEndsAndExchangesAppData() throws Exception {
        EnginePair p = new EnginePair(1, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        assertEquals(0x2222L, p.client.remoteAppData());
        assertEquals(0x1111L, p.server.remoteAppData());
        assertEquals(1, p.a.counters().get(Counter.HANDSHAKES_COMPLETED));
        assertEquals(1, p.b.counters().get(Counter.HANDSHAKES_COMPLETED));
        assertEquals(0, p.a.counters().droppedTotal());
        assertEquals(0, p.b.counters().droppedTotal());
    }

    @Test
    void oneMegabyteArrivesExactlyOnACleanLink() throws Exception {
        EnginePair p = new EnginePair(2, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        StreamTransfer t = new StreamTransfer(7, 1 << 20, p.client, p.server, 65536, 1);
        assertTrue(p.sim.runUntil(t::step, 60_000_000_000L), "transfer did not finish: read " + t.read);
        assertEquals(-1, t.firstMismatch);
        assertEquals(1 << 20, t.read);
        assertTrue(t.eof);
        assertTrue(t.checksumsMatch());
        assertEquals(0, p.a.counters().get(Counter.RETRANSMITS_TIMEOUT));
        assertEquals(0, p.b.counters().droppedTotal());
    }

    @Test
    void tenMegabytesSurviveLossDuplicationAndReordering() throws Exception {
        EnginePair p = new EnginePair(3, Impairments.lossy(0.2, 0.2, 0.2), EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        StreamTransfer t = new StreamTransfer(8, 10 << 20, p.client, p.server, 65536, 1);
        boolean done = p.sim.runUntil(t::step, 600_000_000_000L);
        assertTrue(done, "transfer did not finish: read " + t.read + "; " + p.a.counters() + " / " + p.b.counters() + " " + p.sim.network());
        assertEquals(-1, t.firstMismatch);
        assertEquals(10 << 20, t.read);
        assertTrue(t.checksumsMatch());
        assertTrue(p.b.counters().dropped(DropReason.DUPLICATE) > 0);
    }
}
