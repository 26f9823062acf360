package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import io.tux.core.testing.StreamTransfer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import java.util.stream.IntStream;

/**
 * The handshake under every loss pattern of its first packets: each of the first eight handshake packets on
 * the wire (in either direction) is dropped or not, all 256 combinations. Both ends must agree: both
 * established (then data flows exactly) or both failed; never one without the other.
 */
class HandshakeLossTest {

    static IntStream patterns() { return IntStream.range(0, 256); }

    @ParameterizedTest
    @MethodSource("patterns")
    void bothEndsAgreeWhateverHandshakePacketsAreLost(int pattern) throws Exception {
        EnginePair p = new EnginePair(pattern, Impairments.lossy(0, 0.2, 0.2), EngineConfig.DEFAULT);
        int[] seen = {0};
        p.sim.network().filter((from, route, s, off, len) -> {
            if (PacketCodec.type(s, off) != TuxHeader.TYPE_HANDSHAKE) return false;
            int k = seen[0]++;
            return k < 8 && (pattern & (1 << k)) != 0;
        });
        Connection c = p.a.open(p.routeA, Mode.STREAM, 1, null);
        Connection s = p.b.open(p.routeB, Mode.STREAM, 2, null);
        assertTrue(p.sim.runUntil(() -> c.state() != ConnectionState.HANDSHAKING
                && s.state() != ConnectionState.HANDSHAKING ? -1 : 0, 10_000_000_000L));
        assertEquals(ConnectionState.ESTABLISHED, c.state(), "client");
        assertEquals(ConnectionState.ESTABLISHED, s.state(), "server");
        StreamTransfer forward = new StreamTransfer(pattern, 100_000, c, s, 65536, 1);
        assertTrue(p.sim.runUntil(forward::step, 60_000_000_000L));
        assertEquals(100_000, forward.read);
        assertEquals(-1, forward.firstMismatch);
        StreamTransfer back = new StreamTransfer(pattern + 1, 100_000, s, c, 65536, 1);
        assertTrue(p.sim.runUntil(back::step, 60_000_000_000L));
        assertEquals(100_000, back.read);
        assertEquals(-1, back.firstMismatch);
    }
}
