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
    /** Route of the outstanding {@link #claim} (its slot is the one at the tail); network thread only. */
    private int claimRoute;
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
    public long claim(int r, int maxLength) {
        if (maxLength < 0 || maxLength > mtu) {
            throw new IllegalArgumentException("packet of " + maxLength + " bytes, MTU " + mtu);
        }
        if (tail - head > mask) return -1;
        claimRoute = r;
        return 0;
    }

    @Override
    public MemorySegment claimed() { return slots[(int) (tail & mask)]; }

    @Override
    public void commit(int len) {
        int i = (int) (tail & mask);
        Impairment imp = impairment;
        if (imp != null) {
            Fate f = imp.fate(slots[i], 0, len);
            if (f == Fate.DROP) return;
            if (f == Fate.DUPLICATE && tail + 1 - head <= mask) {
                int j = (int) ((tail + 1) & mask);
                MemorySegment.copy(slots[i], 0, slots[j], 0, len);
                enqueue(len);
            }
        }
        enqueue(len);
    }

    /** Publishes the packet of {@code len} bytes in the slot at the tail. */
    private void enqueue(int len) {
        int i = (int) (tail & mask);
        length[i] = len;
        route[i] = routes.arrivalAt(routes, claimRoute);
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
