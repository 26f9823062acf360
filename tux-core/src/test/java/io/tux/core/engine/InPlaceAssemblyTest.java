package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.StreamTransfer;
import org.junit.jupiter.api.Test;

/**
 * The engine assembles DATA and control packets in place in the link's transmit memory (Link.claim/commit):
 * every packet the network carries is a well-formed Tux packet of at most the MTU, and a stream arrives byte
 * for byte through loss, duplication and reordering.
 */
class InPlaceAssemblyTest {

    @Test
    void everyPacketIsWellFormedAndTheStreamArrivesExactlyThroughLoss() throws Exception {
        EnginePair p = new EnginePair(11, Impairments.lossy(0.1, 0.05, 0.1), EngineConfig.DEFAULT);
        long[] seen = new long[3]; // packets, malformed, data bytes
        int mtu = p.linkA.mtu();
        p.sim.network().filter((from, route, s, off, len) -> {
            seen[0]++;
            if (len > mtu || PacketCodec.check(s, off, len) != PacketCodec.OK) seen[1]++;
            if (PacketCodec.type(s, off) == TuxHeader.TYPE_DATA) seen[2] += len - TuxHeader.LENGTH;
            return false;
        });
        assertTrue(p.connect(Mode.STREAM));
        StreamTransfer t = new StreamTransfer(12, 3 << 20, p.client, p.server, 65536, 1);
        assertTrue(p.sim.runUntil(t::step, 600_000_000_000L), "transfer did not finish: read " + t.read);
        assertEquals(-1, t.firstMismatch);
        assertEquals(3 << 20, t.read);
        assertTrue(t.eof);
        assertTrue(t.checksumsMatch());
        assertEquals(0, seen[1], "malformed packets on the wire");
        assertEquals(p.a.counters().get(Counter.PACKETS_SENT) + p.b.counters().get(Counter.PACKETS_SENT), seen[0]);
        assertTrue(seen[2] > 3 << 20, "lost packets were sent again: " + seen[2]);
        assertTrue(p.a.counters().get(Counter.RETRANSMITS_TIMEOUT) + p.a.counters().get(Counter.RETRANSMITS_FAST) > 0);
    }
}
