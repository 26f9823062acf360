package io.tux.core.link;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.util.concurrent.locks.LockSupport;

/**
 * Two links joined back to back in memory, lossless and without delay: what the engine benchmark and the
 * multi-threaded tests run over. Each direction is a single-producer, single-consumer ring of packet slots
 * (the sending side's network thread produces, the receiving side's network thread consumes), so the two
 * engines may run on two threads. A full ring refuses {@link #send} (back-pressure), as a full TX ring would.
 */
public final class MemoryLink implements Link {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle WAITER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(Ring.class, "head", long.class);
            TAIL = l.findVarHandle(Ring.class, "tail", long.class);
            WAITER = l.findVarHandle(MemoryLink.class, "waiter", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One direction: slots written by the sender's network thread, read by the receiver's. */
    static final class Ring {
        final MemorySegment[] slots;
        final int[] length;
        final int[] route;
        final int mask;
        /** Next slot to read: written by the consumer (release), read by the producer (acquire). */
        @SuppressWarnings("unused") long head;
        /** Next slot to write: written by the producer (release), read by the consumer (acquire). */
        @SuppressWarnings("unused") long tail;

        Ring(int capacity, int mtu) {
            slots = new MemorySegment[capacity];
            for (int i = 0; i < capacity; i++) slots[i] = MemorySegment.ofArray(new byte[mtu]);
            length = new int[capacity];
            route = new int[capacity];
            mask = capacity - 1;
        }
    }

    private final int mtu;
    private final Ring inbox;
    private final Ring outbox;
    private MemoryLink peer;
    private final RouteBook routes = new RouteBook();
    /** The network thread while it waits in await (release/acquire), so the peer can unpark it. */
    @SuppressWarnings("unused") private Thread waiter;
    /** Slots of the outbox filled but not yet published by {@link #flush}; network thread only. */
    private long pendingTail;
    /** The outbox slot and route of the outstanding {@link #claim}; network thread only. */
    private int claimSlot;
    private int claimRoute;

    private MemoryLink(int mtu, Ring inbox, Ring outbox) {
        this.mtu = mtu;
        this.inbox = inbox;
        this.outbox = outbox;
    }

    /** Two joined links; {@code capacity} (a power of two) packets may wait in each direction. */
    public static MemoryLink[] pair(int mtu, int capacity) {
        if (Integer.bitCount(capacity) != 1) throw new IllegalArgumentException("capacity must be a power of two");
        Ring ab = new Ring(capacity, mtu);
        Ring ba = new Ring(capacity, mtu);
        MemoryLink a = new MemoryLink(mtu, ba, ab);
        MemoryLink b = new MemoryLink(mtu, ab, ba);
        a.peer = b;
        b.peer = a;
        return new MemoryLink[] {a, b};
    }

    @Override
    public int mtu() { return mtu; }

    @Override
    public int poll(PacketSink sink, int limit) {
        Ring r = inbox;
        long head = (long) HEAD.get(r);
        long tail = (long) TAIL.getAcquire(r);
        int n = (int) Math.min(limit, tail - head);
        for (int k = 0; k < n; k++) {
            int i = (int) ((head + k) & r.mask);
            sink.onPacket(r.route[i], r.slots[i], 0, r.length[i]);
        }
        if (n > 0) HEAD.setRelease(r, head + n);
        return n;
    }

    @Override
    public long claim(int route, int maxLength) {
        if (maxLength < 0 || maxLength > mtu) {
            throw new IllegalArgumentException("packet of " + maxLength + " bytes, MTU " + mtu);
        }
        Ring r = outbox;
        long head = (long) HEAD.getAcquire(r);
        if (pendingTail - head > r.mask) return -1;
        claimSlot = (int) (pendingTail & r.mask);
        claimRoute = route;
        return 0;
    }

    @Override
    public MemorySegment claimed() { return outbox.slots[claimSlot]; }

    @Override
    public void commit(int length) {
        Ring r = outbox;
        int i = claimSlot;
        r.length[i] = length;
        r.route[i] = routes.arrivalAt(peer.routes, claimRoute);
        pendingTail++;
    }

    @Override
    public void flush() {
        Ring r = outbox;
        if (pendingTail != (long) TAIL.get(r)) {
            TAIL.setRelease(r, pendingTail);
            VarHandle.fullFence();
            Thread w = (Thread) WAITER.getVolatile(peer);
            if (w != null) LockSupport.unpark(w);
        }
    }

    @Override
    public void await(long nanos) {
        WAITER.setVolatile(this, Thread.currentThread());
        VarHandle.fullFence();
        if ((long) TAIL.getAcquire(inbox) == (long) HEAD.get(inbox)) LockSupport.parkNanos(nanos);
        WAITER.setVolatile(this, null);
    }

    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) {
        return routes.open(local, remote);
    }

    @Override
    public void closeRoute(int route) {
        routes.close(route);
    }

    @Override
    public void close() {}
}
