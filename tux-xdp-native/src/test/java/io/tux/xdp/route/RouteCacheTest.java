package io.tux.xdp.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RouteCacheTest {

    static final byte[] OLD_MAC = HexFormat.of().parseHex("8a497f3e4814");
    static final byte[] NEW_MAC = HexFormat.of().parseHex("0a0b0c0d0e0f");

    /** Answers true once per scripted change, false otherwise; counts calls. */
    static final class ScriptedChanges implements NetChanges {
        int pending;
        int calls;
        boolean closed;

        @Override
        public boolean changed() {
            calls++;
            if (closed) return true;
            boolean c = pending > 0;
            pending = 0;
            return c;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    /** A view whose ARP table can be swapped, counting route-table reads (one per resolution). */
    static final class CountingView extends RouteResolverTest.FakeView {
        int routeReads;
        /** Run at the n-th route read (a change racing with a resolution). */
        final ArrayDeque<Runnable> duringRead = new ArrayDeque<>();

        @Override
        public String ipv4Routes() {
            routeReads++;
            Runnable r = duringRead.poll();
            if (r != null) r.run();
            return super.ipv4Routes();
        }
    }

    private static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    private static RouteCache cache(CountingView view, NetChanges changes, int capacity) {
        return new RouteCache(new RouteResolver(view, Duration.ofSeconds(1), ByteOrder.LITTLE_ENDIAN), changes,
                capacity);
    }

    @Test
    void aSecondConnectionToTheSameDestinationReadsNoTable() throws Exception {
        CountingView view = new CountingView();
        ScriptedChanges changes = new ScriptedChanges();
        RouteCache cache = cache(view, changes, 8);
        RouteInfo first = cache.resolve(at("10.77.5.1", 4000), at("10.77.5.2", 5000));
        int arpReads = view.arpReads;
        RouteInfo second = cache.resolve(at("10.77.5.1", 4001), at("10.77.5.2", 5001));
        assertSame(first, second);
        assertEquals(1, view.routeReads);
        assertEquals(arpReads, view.arpReads);
        assertEquals(1, cache.hits());
        assertEquals(1, cache.misses());
        assertEquals(3, changes.calls, "a miss checks before it resolves and before it stores");
    }

    @Test
    void aChangeDropsTheCacheAndTheNextLookupSeesTheNewNeighbour() throws Exception {
        CountingView view = new CountingView();
        ScriptedChanges changes = new ScriptedChanges();
        RouteCache cache = cache(view, changes, 8);
        assertArrayEquals(OLD_MAC, cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2)).nextHopMac());
        view.arpBefore = view.arpBefore.replace("8a:49:7f:3e:48:14", "0a:0b:0c:0d:0e:0f");
        view.arpAfter = view.arpBefore;
        assertArrayEquals(OLD_MAC, cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2)).nextHopMac(),
                "no change reported yet: the cached route");
        changes.pending = 1;
        assertArrayEquals(NEW_MAC, cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2)).nextHopMac());
        assertEquals(2, view.routeReads);
        assertEquals(1, cache.invalidations());
        assertEquals(1, cache.size());
    }

    @Test
    void aChangeDuringAResolutionKeepsItsAnswerOutOfTheCache() throws Exception {
        CountingView view = new CountingView();
        ScriptedChanges changes = new ScriptedChanges();
        RouteCache cache = cache(view, changes, 8);
        view.duringRead.add(() -> changes.pending = 1);
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertEquals(0, cache.size());
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertEquals(1, cache.size());
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertEquals(2, view.routeReads);
        assertEquals(1, cache.hits());
    }

    @Test
    void theLeastRecentlyUsedDestinationGoesBeyondTheCapacity() throws Exception {
        CountingView view = new CountingView();
        RouteCache cache = cache(view, new ScriptedChanges(), 2);
        // all three on eth0's default route via the gateway, whose MAC is in the table
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.1", 80));
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.2", 80));
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.1", 80)); // hit: .1 is now the most recent
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.3", 80)); // evicts .2
        assertEquals(2, cache.size());
        assertEquals(3, view.routeReads);
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.1", 80));
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.3", 80));
        assertEquals(3, view.routeReads);
        cache.resolve(at("192.0.2.9", 1), at("198.51.100.2", 80));
        assertEquals(4, view.routeReads);
        assertEquals(2, cache.size());
    }

    @Test
    void withoutAWatchEveryLookupResolves() throws Exception {
        CountingView view = new CountingView();
        RouteCache cache = cache(view, null, 8);
        for (int i = 0; i < 3; i++) {
            cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        }
        assertEquals(3, view.routeReads);
        assertEquals(0, cache.size());
        assertEquals(0, cache.hits());
    }

    @Test
    void aClosedWatchCachesNothingMore() throws Exception {
        CountingView view = new CountingView();
        ScriptedChanges changes = new ScriptedChanges();
        RouteCache cache = cache(view, changes, 8);
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        cache.close();
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        cache.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertEquals(3, view.routeReads);
        assertEquals(0, cache.hits());
    }
}
