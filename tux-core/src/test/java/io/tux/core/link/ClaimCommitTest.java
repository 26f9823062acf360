package io.tux.core.link;

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
 * The zero-copy send path ({@link Link#claim}, {@link Link#claimed}, {@link Link#commit}) of the in-memory links:
 * exact bytes and routes arrive, in order with packets given to {@link Link#send}, a full ring refuses a claim,
 * and a claim above the MTU is a caller bug.
 */
class ClaimCommitTest {
    private static final InetSocketAddress A = new InetSocketAddress("10.0.0.1", 1000);
    private static final InetSocketAddress B = new InetSocketAddress("10.0.0.2", 2000);

    /** What a poll handed over: route and a copy of the bytes. */
    record Got(int route, byte[] bytes) {}

    static List<Got> drain(Link link) {
        List<Got> got = new ArrayList<>();
        link.poll((route, s, off, len) -> got.add(new Got(route, s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE))), 64);
        return got;
    }

    static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed * 31 + i * 7);
        return b;
    }

    /** Claims, writes {@code b} at the claimed offset, commits; returns the offset. */
    static long claimWrite(Link link, int route, byte[] b) {
        long at = link.claim(route, b.length);
        if (at >= 0) {
            MemorySegment.copy(MemorySegment.ofArray(b), 0, link.claimed(), at, b.length);
            link.commit(b.length);
        }
        return at;
    }

    @Test
    void memoryLinkCarriesClaimedPacketsExactlyAndInOrderWithSentOnes() {
        MemoryLink[] pair = MemoryLink.pair(256, 4);
        int ra = pair[0].openRoute(A, B);
        int rb = pair[1].openRoute(B, A);
        byte[] p1 = bytes(256, 1);
        byte[] p2 = bytes(1, 2);
        byte[] p3 = bytes(100, 3);
        assertEquals(0, claimWrite(pair[0], ra, p1));
        assertEquals(true, pair[0].send(ra, MemorySegment.ofArray(p2), 0, p2.length));
        // A claim may reserve more than it commits.
        long at = pair[0].claim(ra, 200);
        MemorySegment.copy(MemorySegment.ofArray(p3), 0, pair[0].claimed(), at, p3.length);
        pair[0].commit(p3.length);
        assertEquals(0, drain(pair[1]).size(), "nothing is visible before flush");
        pair[0].flush();
        List<Got> got = drain(pair[1]);
        assertEquals(3, got.size());
        assertEquals(rb, got.get(0).route());
        assertArrayEquals(p1, got.get(0).bytes());
        assertArrayEquals(p2, got.get(1).bytes());
        assertArrayEquals(p3, got.get(2).bytes());
    }

    @Test
    void memoryLinkRefusesAClaimWhenItsRingIsFullAndAnOversizedOne() {
        MemoryLink[] pair = MemoryLink.pair(64, 4);
        int ra = pair[0].openRoute(A, B);
        pair[1].openRoute(B, A);
        for (int i = 0; i < 4; i++) assertEquals(0, claimWrite(pair[0], ra, bytes(10, i)));
        assertEquals(-1, pair[0].claim(ra, 10));
        pair[0].flush();
        assertEquals(4, drain(pair[1]).size());
        assertEquals(0, claimWrite(pair[0], ra, bytes(10, 9)), "room again once the peer polled");
        assertThrows(IllegalArgumentException.class, () -> pair[0].claim(ra, 65));
        assertThrows(IllegalArgumentException.class, () -> pair[0].claim(ra, -1));
    }

    @Test
    void loopbackLinkAppliesItsImpairmentToClaimedPackets() {
        LoopbackLink link = new LoopbackLink(128, 8);
        int ab = link.openRoute(A, B);
        int ba = link.openRoute(B, A);
        link.impairment((s, off, len) -> switch (s.get(ValueLayout.JAVA_BYTE, off)) {
            case 'D' -> LoopbackLink.Fate.DROP;
            case '2' -> LoopbackLink.Fate.DUPLICATE;
            default -> LoopbackLink.Fate.DELIVER;
        });
        byte[] keep = bytes(128, 4);
        keep[0] = 'k';
        byte[] drop = bytes(50, 5);
        drop[0] = 'D';
        byte[] twice = bytes(70, 6);
        twice[0] = '2';
        assertEquals(0, claimWrite(link, ab, keep));
        assertEquals(0, claimWrite(link, ab, drop));
        assertEquals(0, claimWrite(link, ab, twice));
        List<Got> got = drain(link);
        assertEquals(3, got.size());
        assertEquals(ba, got.get(0).route());
        assertArrayEquals(keep, got.get(0).bytes());
        assertArrayEquals(twice, got.get(1).bytes());
        assertArrayEquals(twice, got.get(2).bytes());
    }

    @Test
    void loopbackLinkRefusesAClaimWhenFull() {
        LoopbackLink link = new LoopbackLink(64, 2);
        int ab = link.openRoute(A, B);
        link.openRoute(B, A);
        assertEquals(0, claimWrite(link, ab, bytes(3, 1)));
        assertEquals(0, claimWrite(link, ab, bytes(4, 2)));
        assertEquals(-1, link.claim(ab, 5));
        List<Got> got = drain(link);
        assertArrayEquals(bytes(3, 1), got.get(0).bytes());
        assertArrayEquals(bytes(4, 2), got.get(1).bytes());
        assertThrows(IllegalArgumentException.class, () -> link.claim(ab, 65));
    }
}
