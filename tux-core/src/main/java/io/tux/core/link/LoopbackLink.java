package io.tux.core.link;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

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
    private final RouteBook routes = new RouteBook();
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
        route[i] = routes.arrivalAt(routes, r);
        tail++;
    }

    @Override
    public void flush() {}

    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) {
        return routes.open(local, remote);
    }

    @Override
    public void closeRoute(int r) {
        routes.close(r);
    }

    @Override
    public void close() {}
}
