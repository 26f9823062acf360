package io.tux.xdp.route;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Set;

/**
 * What {@link RouteResolver} reads about the current network namespace. The live implementation is
 * {@link LiveNetView}; tests substitute fixed contents.
 */
interface NetView {

    /** Interface facts a route needs. {@code mac} is 6 zero bytes on interfaces without one (lo). */
    record Interface(String name, int index, byte[] mac, int mtu, boolean up) {
    }

    /** Contents of {@code /proc/net/route}. */
    String ipv4Routes() throws IOException;

    /** Contents of {@code /proc/net/ipv6_route}. */
    String ipv6Routes() throws IOException;

    /** Contents of {@code /proc/net/arp}. */
    String arp() throws IOException;

    /** Output of {@code ip -6 neigh show to ADDRESS dev IFACE}. */
    String ipv6Neighbour(InetAddress address, String iface) throws IOException;

    /** Every address assigned to an interface of this namespace. */
    Set<InetAddress> localAddresses() throws IOException;

    /** The named interface, or null if there is none. */
    Interface iface(String name) throws IOException;

    /** Makes the kernel resolve {@code nextHop}'s link-layer address (sends it a small datagram). */
    void solicit(InetAddress nextHop) throws IOException;
}
