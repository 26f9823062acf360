package io.tux.xdp.route;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Remembers {@link RouteResolver}'s answer per IPv4 destination, so that a new connection to a peer already seen
 * costs a map lookup instead of reading {@code /proc/net/route}, {@code /proc/net/arp} and the interface list
 * (about 150 us on the project's machine, on the connecting thread).
 *
 * <p>Correctness: every lookup first asks the {@link NetChanges} watch whether routes, addresses, links or
 * neighbours changed since the previous lookup; if so the whole cache is dropped before the lookup. A change that
 * happens while a route is being resolved leaves its message in the watch, so the next lookup drops the entry
 * that resolution may have put in. Without a watch (no netlink socket) nothing is cached. IPv6 destinations are
 * not cached (the AF_XDP stack carries IPv4 only). The cache holds at most {@code capacity} destinations and
 * forgets the least recently used beyond that.
 *
 * <p>Threading: any thread. Lookups hold the cache's lock only for the check and the map access; resolving a
 * missing route (which may wait for a neighbour) runs outside it.
 */
public final class RouteCache {

    /** Destinations remembered by default. */
    public static final int DEFAULT_CAPACITY = 4096;

    private final RouteResolver resolver;
    /** Null: no cache. Called under {@code this}. */
    private final NetChanges changes;
    private final int capacity;
    /** Least recently used first; guarded by {@code this}. */
    private final LinkedHashMap<InetAddress, RouteInfo> routes;
    /** Guarded by {@code this}. */
    private long hits;
    private long misses;
    private long invalidations;
    /** Bumped whenever a change dropped the cache; guarded by {@code this}. */
    private long generation;

    /**
     * @param changes the watch that invalidates the cache; null to cache nothing
     * @param capacity destinations remembered at most (at least 1)
     */
    public RouteCache(RouteResolver resolver, NetChanges changes, int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.changes = changes;
        this.capacity = capacity;
        this.routes = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, RouteInfo> eldest) {
                return size() > RouteCache.this.capacity;
            }
        };
    }

    /**
     * A cache over the live tables of the calling thread's network namespace, invalidated by a netlink watch;
     * without netlink (it cannot be opened), a pass-through to the resolver.
     */
    public static RouteCache live(RouteResolver resolver) {
        NetChanges watch;
        try {
            watch = NetlinkChanges.open();
        } catch (IOException | RuntimeException | LinkageError e) {
            watch = null;
        }
        return new RouteCache(resolver, watch, DEFAULT_CAPACITY);
    }

    /** As {@link RouteResolver#resolve}, from the cache when the destination's route is known and unchanged. */
    public RouteInfo resolve(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        InetAddress destination = remote.getAddress();
        long resolvedIn;
        if (changes == null || !(destination instanceof Inet4Address) || !(local.getAddress() instanceof Inet4Address)) {
            return resolver.resolve(local, remote);
        }
        synchronized (this) {
            if (changes.changed()) {
                if (!routes.isEmpty()) {
                    invalidations++;
                }
                routes.clear();
                generation++;
            }
            RouteInfo known = routes.get(destination);
            if (known != null) {
                hits++;
                return known;
            }
            misses++;
            resolvedIn = generation;
        }
        RouteInfo info = resolver.resolve(local, remote);
        synchronized (this) {
            // A change seen by another thread while we resolved may have come after our reading: keep ours out.
            if (generation == resolvedIn && !changes.changed()) {
                routes.put(destination, info);
            } else {
                routes.clear();
                generation++;
            }
        }
        return info;
    }

    /** Destinations remembered now. */
    public synchronized int size() {
        return routes.size();
    }

    /** Lookups answered from the cache. */
    public synchronized long hits() {
        return hits;
    }

    /** Lookups that resolved (every lookup when nothing is cached is not counted). */
    public synchronized long misses() {
        return misses;
    }

    /** Times a change dropped a non-empty cache. */
    public synchronized long invalidations() {
        return invalidations;
    }

    /** Whether this cache remembers anything at all (it has a watch). */
    public boolean caching() {
        return changes != null;
    }

    /** Closes the watch; later lookups resolve every time. */
    public void close() {
        if (changes != null) {
            synchronized (this) {
                changes.close();
                routes.clear();
            }
        }
    }
}
