package io.tux.core.sim;

import io.tux.core.link.Link;
import io.tux.core.link.PacketSink;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * One host's end of a {@link SimNetwork}: a {@link Link} that owns one IP address. Several connections (even
 * both ends of one, on two ports) can share it. Single-threaded, like the network.
 */
public final class SimulatedLink implements Link {
    private final SimNetwork network;
    private final InetAddress address;
    final PriorityQueue<SimNetwork.InFlight> inbox = new PriorityQueue<>();
    private final List<RouteEntry> routes = new ArrayList<>();
    private final Map<Object, Integer> routeByArrival = new HashMap<>();
    private boolean closed;
    /** Where a claimed packet is assembled before {@link #commit} hands it to the network; grows with the MTU. */
    private MemorySegment scratch = MemorySegment.ofArray(new byte[0]);
    private int claimRoute;
    private RouteEntry claimEntry;

    SimulatedLink(SimNetwork network, InetAddress address) {
        this.network = network;
        this.address = address;
    }

    public InetAddress address() { return address; }

    @Override
    public int mtu() { return network.impairments().mtu(); }

    @Override
    public int poll(PacketSink sink, int limit) {
        return closed ? 0 : network.deliver(this, sink, limit);
    }

    @Override
    public long claim(int route, int maxLength) {
        // A packet above the MTU is claimed and then dropped by the network, which counts it (oversize).
        if (maxLength < 0) throw new IllegalArgumentException("negative length " + maxLength);
        if (closed) return -1;
        RouteEntry r = route >= 0 && route < routes.size() ? routes.get(route) : null;
        if (r == null) throw new IllegalArgumentException("no such route: " + route);
        if (scratch.byteSize() < maxLength) scratch = MemorySegment.ofArray(new byte[maxLength]);
        claimRoute = route;
        claimEntry = r;
        return 0;
    }

    @Override
    public MemorySegment claimed() { return scratch; }

    /** Hands the claimed packet to the network, which copies it (the simulation is not a hot path). */
    @Override
    public void commit(int length) {
        network.send(this, claimRoute, claimEntry, scratch, 0, length);
    }

    @Override
    public void flush() {}

    @Override
    public int openRoute(InetSocketAddress local, InetSocketAddress remote) {
        if (!local.getAddress().equals(address)) {
            throw new IllegalArgumentException(local + " is not an address of this link (" + address + ")");
        }
        RouteEntry r = new RouteEntry(local, remote, List.of(local, remote));
        routes.add(r);
        int id = routes.size() - 1;
        routeByArrival.put(List.of(remote, local), id);
        return id;
    }

    @Override
    public void closeRoute(int route) {
        RouteEntry r = routes.get(route);
        routeByArrival.remove(List.of(r.remote, r.local));
        routes.set(route, null);
    }

    int routeOf(Object arrivalKey) {
        Integer r = routeByArrival.get(arrivalKey);
        return r == null ? NO_ROUTE : r;
    }

    @Override
    public void close() { closed = true; }

    static final class RouteEntry {
        final InetSocketAddress local;
        final InetSocketAddress remote;
        /** The key under which the receiving link finds this pair: (its remote, its local) = (our local, our remote). */
        final Object arrivalKey;

        RouteEntry(InetSocketAddress local, InetSocketAddress remote, Object arrivalKey) {
            this.local = local;
            this.remote = remote;
            this.arrivalKey = arrivalKey;
        }
    }
}
