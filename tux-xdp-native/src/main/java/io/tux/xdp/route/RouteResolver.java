package io.tux.xdp.route;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Finds where the packets for one UDP address pair leave this host, from the tables of the current process's
 * network namespace.
 *
 * <ul>
 *   <li>Local destinations (127.0.0.0/8, ::1, or any address of an interface of this namespace) go through
 *       {@value #LOOPBACK} with all-zero MACs; the next hop is the destination.</li>
 *   <li>Otherwise the outgoing interface and gateway come from the longest-prefix, lowest-metric route of
 *       {@code /proc/net/route} (IPv4) or {@code /proc/net/ipv6_route} (IPv6). These hold the main routing
 *       table only: policy routing (ip rule, VRFs) is not seen. The next hop is the gateway, or the destination
 *       itself on a directly connected subnet.</li>
 *   <li>The next hop's MAC comes from {@code /proc/net/arp} (IPv4) or {@code ip -6 neigh} (IPv6). If the entry
 *       is missing or incomplete, the resolver sends one byte to the next hop's discard port (9) so that the
 *       kernel resolves it, and re-reads the table every few milliseconds for at most the neighbour wait
 *       (1 s by default). This blocks the calling thread: call it at route set-up, never on the network
 *       thread's hot path.</li>
 *   <li>Interface index, MAC and MTU come from {@link java.net.NetworkInterface} for that interface.</li>
 * </ul>
 *
 * <p>Queue: always 0, which is right on veth and lo (one queue each). TODO(multi-queue NICs): on a NIC with
 * several RX queues, RSS hashes the 4-tuple onto a queue and the AF_XDP socket must be bound to that queue (or
 * the flow steered with ethtool ntuple rules / one socket per queue); 0 is then wrong for most flows.
 *
 * <p>Failures are {@link IOException}s that say what was missing (no route, interface down, no neighbour).
 * Stateless apart from its configuration: safe to use from any thread.
 */
public final class RouteResolver {

    /** The loopback interface. */
    public static final String LOOPBACK = "lo";
    /** Default bound on waiting for the neighbour's MAC to appear. */
    public static final Duration DEFAULT_NEIGHBOUR_WAIT = Duration.ofSeconds(1);

    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final long RESOLICIT_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final NetView view;
    private final Duration neighbourWait;
    private final ByteOrder procByteOrder;

    /** A resolver over the current network namespace with the default neighbour wait. */
    public RouteResolver() {
        this(DEFAULT_NEIGHBOUR_WAIT);
    }

    /** A resolver over the current network namespace that waits at most {@code neighbourWait} for a MAC. */
    public RouteResolver(Duration neighbourWait) {
        this(new LiveNetView(), neighbourWait, ByteOrder.nativeOrder());
    }

    RouteResolver(NetView view, Duration neighbourWait, ByteOrder procByteOrder) {
        this.view = Objects.requireNonNull(view, "view");
        this.neighbourWait = Objects.requireNonNull(neighbourWait, "neighbourWait");
        this.procByteOrder = Objects.requireNonNull(procByteOrder, "procByteOrder");
    }

    /**
     * The route for UDP packets from {@code local} to {@code remote}. Only {@code remote} chooses the route;
     * {@code local} must have the same address family and is not checked against the chosen interface (Linux
     * accepts any local source address on any interface).
     *
     * @throws IOException if there is no route, the interface is missing or down, or the next hop's MAC
     *     cannot be learnt within the neighbour wait
     * @throws IllegalArgumentException if an address is unresolved, or the families of the two differ
     */
    public RouteInfo resolve(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        InetAddress destination = remote.getAddress();
        if (destination == null || local.getAddress() == null) {
            throw new IllegalArgumentException("unresolved address: " + local + " -> " + remote);
        }
        if ((destination instanceof Inet4Address) != (local.getAddress() instanceof Inet4Address)) {
            throw new IllegalArgumentException("address families differ: " + local + " -> " + remote);
        }
        if (isLocal(destination)) {
            NetView.Interface lo = requireInterface(LOOPBACK, destination);
            return new RouteInfo(lo.name(), lo.index(), 0, new byte[6], new byte[6], destination, lo.mtu());
        }
        return destination instanceof Inet4Address v4 ? resolveIpv4(v4) : resolveIpv6((Inet6Address) destination);
    }

    private boolean isLocal(InetAddress destination) throws IOException {
        if (destination.isLoopbackAddress()) {
            return true;
        }
        InetAddress unscoped = InetAddress.getByAddress(destination.getAddress());
        return view.localAddresses().contains(unscoped);
    }

    private RouteInfo resolveIpv4(Inet4Address destination) throws IOException {
        List<ProcNet.Ipv4Route> routes = ProcNet.parseIpv4Routes(view.ipv4Routes(), procByteOrder);
        ProcNet.Ipv4Route route = ProcNet.lookupIpv4(routes, ProcNet.ipv4ToInt(destination));
        if (route == null) {
            throw new IOException("no route to " + destination.getHostAddress()
                    + " in /proc/net/route (main table of this network namespace)");
        }
        if ((route.flags() & ProcNet.RTF_REJECT) != 0) {
            throw new IOException("route to " + destination.getHostAddress() + " is a reject route");
        }
        InetAddress nextHop = (route.flags() & ProcNet.RTF_GATEWAY) != 0 && route.gateway() != 0
                ? ProcNet.intToIpv4(route.gateway()) : destination;
        NetView.Interface iface = requireInterface(route.iface(), destination);
        byte[] mac = awaitNeighbour(nextHop, iface.name(), destination);
        return new RouteInfo(iface.name(), iface.index(), 0, iface.mac(), mac, nextHop, iface.mtu());
    }

    private RouteInfo resolveIpv6(Inet6Address destination) throws IOException {
        String ifaceName;
        InetAddress nextHop;
        if (destination.getScopedInterface() != null) {
            // A scoped (link-local) address names its interface; it is on-link by definition.
            ifaceName = destination.getScopedInterface().getName();
            nextHop = destination;
        } else {
            List<ProcNet.Ipv6Route> routes = ProcNet.parseIpv6Routes(view.ipv6Routes());
            ProcNet.Ipv6Route route = ProcNet.lookupIpv6(routes, destination.getAddress());
            if (route == null) {
                throw new IOException("no route to " + destination.getHostAddress()
                        + " in /proc/net/ipv6_route (this network namespace)");
            }
            if ((route.flags() & ProcNet.RTF_REJECT) != 0) {
                throw new IOException("route to " + destination.getHostAddress() + " is a reject route");
            }
            ifaceName = route.iface();
            nextHop = route.hasGateway() ? ProcNet.bytesToIpv6(route.nextHop()) : destination;
        }
        NetView.Interface iface = requireInterface(ifaceName, destination);
        byte[] mac = awaitNeighbour(nextHop, iface.name(), destination);
        return new RouteInfo(iface.name(), iface.index(), 0, iface.mac(), mac, nextHop, iface.mtu());
    }

    private NetView.Interface requireInterface(String name, InetAddress destination) throws IOException {
        NetView.Interface iface = view.iface(name);
        if (iface == null) {
            throw new IOException("the route to " + destination.getHostAddress() + " uses interface " + name
                    + ", which does not exist in this network namespace");
        }
        if (!iface.up()) {
            throw new IOException("interface " + name + " (route to " + destination.getHostAddress() + ") is down");
        }
        return iface;
    }

    /** The next hop's MAC: from the table, else after soliciting it, re-reading for at most the wait. */
    private byte[] awaitNeighbour(InetAddress nextHop, String iface, InetAddress destination) throws IOException {
        byte[] mac = neighbour(nextHop, iface);
        if (mac != null) {
            return mac;
        }
        long start = System.nanoTime();
        long deadline = start + neighbourWait.toNanos();
        long nextSolicit = start;
        while (true) {
            long now = System.nanoTime();
            if (now - nextSolicit >= 0) {
                view.solicit(nextHop);
                nextSolicit = now + RESOLICIT_NANOS;
            }
            LockSupport.parkNanos(POLL_NANOS);
            mac = neighbour(nextHop, iface);
            if (mac != null) {
                return mac;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("no link-layer address for next hop " + nextHop.getHostAddress() + " on " + iface
                        + " (route to " + destination.getHostAddress() + ") after " + neighbourWait.toMillis()
                        + " ms: " + (nextHop instanceof Inet4Address ? "ARP" : "neighbour discovery")
                        + " got no answer");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new IOException("interrupted while resolving the neighbour " + nextHop.getHostAddress());
            }
        }
    }

    private byte[] neighbour(InetAddress nextHop, String iface) throws IOException {
        if (nextHop instanceof Inet4Address) {
            return ProcNet.arpLookup(ProcNet.parseArp(view.arp()), nextHop, iface);
        }
        return ProcNet.parseIpNeigh(view.ipv6Neighbour(InetAddress.getByAddress(nextHop.getAddress()), iface));
    }
}
