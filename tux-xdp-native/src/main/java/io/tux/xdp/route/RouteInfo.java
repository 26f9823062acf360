package io.tux.xdp.route;

import io.tux.xdp.frame.FrameTemplate;
import io.tux.xdp.frame.MacAddress;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * Where the packets of one connection leave this host: the outgoing interface (name, index, and the queue an
 * AF_XDP socket must bind to), the MAC addresses for the Ethernet header, the next hop (the gateway, or the
 * destination itself on a directly connected subnet or on loopback) and the interface MTU (IP bytes, without
 * the Ethernet header). Produced by {@link RouteResolver}.
 *
 * <p>On loopback both MACs are all zero. The byte arrays are copied in and out, so an instance is immutable and
 * may be shared between threads.
 *
 * @param interfaceName outgoing interface, e.g. {@code vA} or {@code lo}
 * @param ifIndex its index in the current network namespace
 * @param queueId the RX/TX queue to bind; 0 on veth and lo (see {@link RouteResolver} on multi-queue NICs)
 * @param sourceMac the interface's MAC, 6 bytes
 * @param nextHopMac the next hop's MAC from the neighbour table, 6 bytes
 * @param nextHop the gateway, or the destination itself when it is on-link or local
 * @param mtu the interface MTU in bytes of IP packet
 */
public record RouteInfo(String interfaceName, int ifIndex, int queueId, byte[] sourceMac, byte[] nextHopMac,
                        InetAddress nextHop, int mtu) {

    public RouteInfo {
        Objects.requireNonNull(interfaceName, "interfaceName");
        Objects.requireNonNull(nextHop, "nextHop");
        if (sourceMac.length != 6 || nextHopMac.length != 6) {
            throw new IllegalArgumentException("MAC addresses have 6 bytes");
        }
        if (ifIndex <= 0 || queueId < 0 || mtu <= 0) {
            throw new IllegalArgumentException("ifIndex " + ifIndex + ", queueId " + queueId + ", mtu " + mtu);
        }
        sourceMac = sourceMac.clone();
        nextHopMac = nextHopMac.clone();
    }

    /** A copy of the source MAC. */
    @Override
    public byte[] sourceMac() {
        return sourceMac.clone();
    }

    /** A copy of the next hop's MAC. */
    @Override
    public byte[] nextHopMac() {
        return nextHopMac.clone();
    }

    /** True if the packets stay on this host (interface {@code lo}, zero MACs). */
    public boolean isLoopback() {
        return MacAddress.toLong(sourceMac) == 0 && MacAddress.toLong(nextHopMac) == 0
                && interfaceName.equals(RouteResolver.LOOPBACK);
    }

    /** The frame template for UDP from {@code local} to {@code remote} over this route. */
    public FrameTemplate frameTemplate(InetSocketAddress local, InetSocketAddress remote) {
        return FrameTemplate.of(sourceMac, nextHopMac, local, remote);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteInfo r && interfaceName.equals(r.interfaceName) && ifIndex == r.ifIndex
                && queueId == r.queueId && Arrays.equals(sourceMac, r.sourceMac)
                && Arrays.equals(nextHopMac, r.nextHopMac) && nextHop.equals(r.nextHop) && mtu == r.mtu;
    }

    @Override
    public int hashCode() {
        return Objects.hash(interfaceName, ifIndex, queueId, Arrays.hashCode(sourceMac), Arrays.hashCode(nextHopMac),
                nextHop, mtu);
    }

    @Override
    public String toString() {
        return "RouteInfo[" + interfaceName + " (ifindex " + ifIndex + ", queue " + queueId + ") "
                + MacAddress.format(sourceMac) + " -> " + MacAddress.format(nextHopMac) + " via "
                + nextHop.getHostAddress() + ", mtu " + mtu + "]";
    }
}
