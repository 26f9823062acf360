package io.tux.spi;

import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Peers known not to run Tux: each one's handshake went unanswered for the whole handshake timeout while its
 * connection stayed open. A new connection to a remembered peer skips the handshake (no engine connection, no
 * packet) and costs what a JDK connection costs; its reason is {@link FallbackReason#PEER_NOT_TUX}.
 *
 * <p>Keys: a client remembers the server's address and port (one process, which either runs Tux or not); a
 * server remembers the client's address only ({@link #ANY_PORT}), since each connection from it comes from a new
 * port. Known limit of the latter: while one process of a host keeps connecting without Tux, a Tux process on the
 * same host is served on kernel TCP too.
 *
 * <p>A timeout alone does not make a peer "not Tux" if a handshake with it completed less than {@code ttl} ago
 * ({@link #rememberTux}): a Tux server that accepts a connection later than the handshake timeout (a backlog under
 * load) does not answer its handshake either, and one such timeout would otherwise send every connection to it
 * to kernel TCP for {@code ttl} (measured: 5,229 connections of a busy benchmark's trial).
 *
 * <p>An entry lives {@code ttl} nanoseconds (then the next connection tries the handshake again, so a peer that
 * started running Tux is picked up) and at most {@code capacity} entries are kept (the oldest go first).
 *
 * <p>Threading: any thread; a short critical section under the cache's lock, on the connection set-up path only.
 */
final class PeerCache {

    /** The port of a key that stands for every port of a client address (accepted connections). */
    static final int ANY_PORT = -1;
    /** Peers remembered at most. */
    static final int DEFAULT_CAPACITY = 4096;

    private record Key(InetAddress address, int port) {}

    private final long ttlNanos;
    private final int capacity;
    private final LongSupplier clock;
    /** Peer to the time it was remembered, oldest first; guarded by {@code this}. */
    private final LinkedHashMap<Key, Long> notTux;
    /** Peer to the time a handshake with it last completed, oldest first; guarded by {@code this}. */
    private final LinkedHashMap<Key, Long> ranTux;
    /** Timeouts not remembered because the peer completed a handshake recently; guarded by {@code this}. */
    private long forgiven;
    /** Connections that skipped the handshake thanks to the cache; guarded by {@code this}. */
    private long hits;

    /**
     * @param ttlNanos how long an entry lives; 0 disables the cache
     * @param clock {@link System#nanoTime} in production
     */
    PeerCache(long ttlNanos, int capacity, LongSupplier clock) {
        if (ttlNanos < 0 || capacity < 1) {
            throw new IllegalArgumentException("ttlNanos " + ttlNanos + ", capacity " + capacity);
        }
        this.ttlNanos = ttlNanos;
        this.capacity = capacity;
        this.clock = clock;
        this.notTux = bounded(capacity);
        this.ranTux = bounded(capacity);
    }

    private static LinkedHashMap<Key, Long> bounded(int capacity) {
        return new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Key, Long> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Whether the cache remembers anything at all. */
    boolean enabled() {
        return ttlNanos > 0;
    }

    /**
     * True if the peer ({@code port} {@link #ANY_PORT} for a client address) did not answer a handshake less than
     * the time to live ago; then the caller skips the handshake. An expired entry is forgotten.
     */
    boolean knownNotTux(InetAddress address, int port) {
        if (ttlNanos == 0) {
            return false;
        }
        Key k = new Key(address, port);
        synchronized (this) {
            Long at = notTux.get(k);
            if (at == null) {
                return false;
            }
            if (clock.getAsLong() - at >= ttlNanos) {
                notTux.remove(k);
                return false;
            }
            hits++;
            return true;
        }
    }

    /**
     * Remembers that the peer did not answer a whole handshake (a new entry, or a renewed one, is the newest),
     * unless a handshake with it completed less than the time to live ago: then it runs Tux and was only slow.
     *
     * @return whether the peer is now remembered as not running Tux
     */
    boolean rememberNotTux(InetAddress address, int port) {
        if (ttlNanos == 0) {
            return false;
        }
        Key k = new Key(address, port);
        synchronized (this) {
            long now = clock.getAsLong();
            Long ran = ranTux.get(k);
            if (ran != null && now - ran < ttlNanos) {
                forgiven++;
                return false;
            }
            notTux.remove(k);
            notTux.put(k, now);
            return true;
        }
    }

    /** Remembers that a handshake with the peer completed (renewing the entry); forgets it as "not Tux". */
    void rememberTux(InetAddress address, int port) {
        if (ttlNanos == 0) {
            return;
        }
        Key k = new Key(address, port);
        synchronized (this) {
            notTux.remove(k);
            ranTux.remove(k);
            ranTux.put(k, clock.getAsLong());
        }
    }

    /** Handshake timeouts not remembered because the peer had completed a handshake less than the ttl before. */
    synchronized long forgiven() {
        return forgiven;
    }

    /** Peers remembered now (expired ones included until they are looked up or pushed out). */
    synchronized int size() {
        return notTux.size();
    }

    /** Connections that skipped the handshake because their peer was remembered. */
    synchronized long hits() {
        return hits;
    }
}
