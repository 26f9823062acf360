package io.tux.core.link;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A link whose packets come back to itself, as an AF_XDP socket on {@code lo} does: both ends of a connection
 * inside one process, served by one engine. Lossless; a full ring refuses {@link #send}. Network thread only,
 * except {@link #openRoute}/{@link #closeRoute} (any thread).
 */
public final class LoopbackLink implements Link {
    private final int mtu;
    private final MemorySegment[] slots;
    private final int[] length;
    private final int[] route;
    private final int mask;
    private long head;
    private long tail;
    /** Route ids by (remote, local) of arriving packets; written by openRoute/closeRoute, read by the network thread. */
    private final Map<List<InetSocketAddress>, Integer> routeByArrival = new ConcurrentHashMap<>();
    /** Guarded by itself; read by the network thread when it resolves a route for the first time. */
    private final List<List<InetSocketAddress>> routes = new ArrayList<>();
    /** The arriving route of each sending route, resolved on first use; network thread only. */
    private int[] arrival = new int[0];
    /** Scripted impairment for tests: decides per sent packet; null for none. Set before use (volatile). */
    private volatile Impairment impairment;

    /** What a test does to one sent packet. */
    public enum Fate { DELIVER, DROP, DUPLICATE }

    /** Decides the fate of each sent packet (called on the network thread). */
    @FunctionalInterface
    public interface Impairment {
        Fate fate(MemorySegment packet, long offset, int length);
    }

    /** Installs a scripted impairment (tests: lost or duplicated control packets); null removes it. */
    public void impairment(Impairment i) { this.impairment = i; }

    public LoopbackLink(int mtu, int capacity) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two");
        this.mtu = mtu;
        this.slots = new MemorySegment[capacity];
        for (int i = 0; i < capacity; i++) slots[i] = MemorySegment.ofArray(new byte[mtu]);
        this.length = new int[capacity];
        this.route = new int[capacity];
        this.mask = capacity - 1;
    }

    @Override
    public int mtu() { return mtu; }

    @Override
    public int poll(PacketSink sink, int limit) {
        // Only what was flushed before this poll: packets sent while handling these wait for the next one.
        long end = Math.min(tail, head + limit);
        int n = 0;
        for (; head < end; head++, n++) {
            int i = (int) (head & mask);
            sink.onPacket(route[i], slots[i], 0, length[i]);
        }
        return n;
    }

    @Override
    public boolean send(int r, MemorySegment packet, long offset, int len) {
        Impairment imp = impairment;
        if (imp != null) {
            Fate f = imp.fate(packet, offset, len);
            if (f == Fate.DROP) return true;
            if (f == Fate.DUPLICATE && tail - head < mask) enqueue(r, packet, offset, len);
        }
        if (tail - head > mask) return false;
        enqueue(r, packet, offset, len);
        return true;
    }

    private void enqueue(int r, MemorySegment packet, long offset, int len) {
        int i = (int) (tail & mask);
        MemorySegment.copy(packet, offset, slots[i], 0, len);
        length[i] = len;
        route[i] = arrivalOf(r);
        tail++;
    }

    private int arrivalOf(int r) {
        if (r >= arrival.length) {
            int old = arrival.length;
            arrival = Arrays.copyOf(arrival, r + 16);
            Arrays.fill(arrival, old, arrival.length, NO_ROUTE);
        }
        int a = arrival[r];
        if (a == NO_ROUTE) {
            List<InetSocketAddress> key;
            synchronized (routes) {
                key = routes.get(r);
            }
            Integer found = key == null ? null : routeByArrival.get(key);
            if (found != null) arrival[r] = a = found;
        }
        return a;
    }

    @Override
    public void flush() {}

    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) {
        int id;
        synchronized (routes) {
            routes.add(List.of(local, remote));
            id = routes.size() - 1;
        }
        routeByArrival.put(List.of(remote, local), id);
        return id;
    }

    @Override
    public void closeRoute(int r) {
        List<InetSocketAddress> key;
        synchronized (routes) {
            key = routes.get(r);
            routes.set(r, null);
        }
        if (key != null) routeByArrival.remove(List.of(key.get(1), key.get(0)), r);
    }

    @Override
    public void close() {}
}
