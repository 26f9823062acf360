package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerCacheTest {

    private static final long TTL = 1_000_000_000L;

    private static InetAddress ip(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void aRememberedPeerIsKnownUntilItsTimeToLiveEnds() throws Exception {
        AtomicLong now = new AtomicLong(5);
        PeerCache c = new PeerCache(TTL, 8, now::get);
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80));
        c.rememberNotTux(ip("10.0.0.1"), 80);
        now.addAndGet(TTL - 1);
        assertTrue(c.knownNotTux(ip("10.0.0.1"), 80));
        assertEquals(1, c.hits());
        now.addAndGet(1);
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80), "expired: the next connection tries the handshake again");
        assertEquals(0, c.size(), "an expired entry is forgotten when looked up");
        assertEquals(1, c.hits());
    }

    @Test
    void aTimeoutOfAPeerThatRanTuxRecentlyIsForgivenNotRemembered() throws Exception {
        AtomicLong now = new AtomicLong(5);
        PeerCache c = new PeerCache(TTL, 8, now::get);
        c.rememberTux(ip("10.0.0.1"), 80);
        now.addAndGet(TTL - 1);
        assertFalse(c.rememberNotTux(ip("10.0.0.1"), 80), "a busy Tux peer, not a peer without Tux");
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80));
        assertEquals(1, c.forgiven());
        assertTrue(c.rememberNotTux(ip("10.0.0.1"), 81), "another port is another process");
        now.addAndGet(1);
        assertTrue(c.rememberNotTux(ip("10.0.0.1"), 80), "the success is older than the time to live");
        assertTrue(c.knownNotTux(ip("10.0.0.1"), 80));
        c.rememberTux(ip("10.0.0.1"), 80);
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80), "a completed handshake clears the negative entry");
        assertEquals(1, c.forgiven());
    }

    @Test
    void portsAndClientAddressesAreSeparateEntries() throws Exception {
        PeerCache c = new PeerCache(TTL, 8, () -> 0);
        c.rememberNotTux(ip("10.0.0.1"), 80);
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 81), "another server process on the same host");
        assertFalse(c.knownNotTux(ip("10.0.0.1"), PeerCache.ANY_PORT));
        assertFalse(c.knownNotTux(ip("10.0.0.2"), 80));
        c.rememberNotTux(ip("10.0.0.3"), PeerCache.ANY_PORT);
        assertTrue(c.knownNotTux(ip("10.0.0.3"), PeerCache.ANY_PORT));
        assertFalse(c.knownNotTux(ip("10.0.0.3"), 80));
    }

    @Test
    void theCacheHoldsAtMostItsCapacityAndForgetsTheOldestFirst() throws Exception {
        AtomicLong now = new AtomicLong();
        PeerCache c = new PeerCache(TTL, 3, now::get);
        for (int i = 1; i <= 5; i++) {
            c.rememberNotTux(ip("10.0.0." + i), 80);
            now.incrementAndGet();
        }
        assertEquals(3, c.size());
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80));
        assertFalse(c.knownNotTux(ip("10.0.0.2"), 80));
        for (int i = 3; i <= 5; i++) {
            assertTrue(c.knownNotTux(ip("10.0.0." + i), 80), "10.0.0." + i);
        }
        c.rememberNotTux(ip("10.0.0.3"), 80); // renewed: now the newest
        c.rememberNotTux(ip("10.0.0.6"), 80); // pushes out .4
        assertEquals(3, c.size());
        assertTrue(c.knownNotTux(ip("10.0.0.3"), 80));
        assertFalse(c.knownNotTux(ip("10.0.0.4"), 80));
    }

    @Test
    void aZeroTimeToLiveRemembersNothing() throws Exception {
        PeerCache c = new PeerCache(0, 8, () -> 0);
        assertFalse(c.enabled());
        c.rememberNotTux(ip("10.0.0.1"), 80);
        assertFalse(c.knownNotTux(ip("10.0.0.1"), 80));
        assertEquals(0, c.size());
    }
}
