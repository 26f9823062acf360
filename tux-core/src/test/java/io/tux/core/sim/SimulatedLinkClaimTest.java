package io.tux.core.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link SimulatedLink}'s claim/commit: what was written at the claimed offset is what the network carries (and
 * what its loss drops), a packet above the MTU is counted oversize, a closed link refuses, an unknown route is
 * a caller bug.
 */
class SimulatedLinkClaimTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 1000);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 2000);

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed * 13 + i * 5);
        return b;
    }

    private static void claimWrite(SimulatedLink link, int route, byte[] b) {
        long at = link.claim(route, b.length);
        assertEquals(0, at);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, link.claimed(), at, b.length);
        link.commit(b.length);
    }

    @Test
    void claimedPacketsArriveExactlyExceptThoseTheNetworkLoses() throws Exception {
        Simulation sim = new Simulation(5, Impairments.NONE);
        SimulatedLink a = sim.attach("10.0.0.1");
        SimulatedLink b = sim.attach("10.0.0.2");
        int ra = a.openRoute(A, B);
        int rb = b.openRoute(B, A);
        // Scripted loss: the network drops every packet whose first byte is odd.
        sim.network().filter((from, route, s, off, len) -> (s.get(ValueLayout.JAVA_BYTE, off) & 1) != 0);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] p = bytes(100 + i * 50, i);
            p[0] = (byte) i;
            claimWrite(a, ra, p);
            if (i % 2 == 0) sent.add(p);
        }
        sim.clock().advanceTo(sim.network().nextDelivery());
        List<byte[]> got = new ArrayList<>();
        List<Integer> routes = new ArrayList<>();
        b.poll((route, s, off, len) -> {
            routes.add(route);
            got.add(s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
        }, 64);
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), got.get(i), "packet " + i);
            assertEquals(rb, routes.get(i));
        }
        assertEquals(10, sim.network().filtered);
    }

    @Test
    void oversizedClaimsAreCountedClosedLinksRefuseUnknownRoutesThrow() {
        Simulation sim = new Simulation(6, Impairments.NONE);
        SimulatedLink a = sim.attach("10.0.0.1");
        sim.attach("10.0.0.2");
        int ra = a.openRoute(A, B);
        claimWrite(a, ra, bytes(a.mtu() + 1, 1));
        assertEquals(1, sim.network().oversize);
        assertThrows(IllegalArgumentException.class, () -> a.claim(ra + 5, 10));
        a.close();
        assertEquals(-1, a.claim(ra, 10));
    }
}
