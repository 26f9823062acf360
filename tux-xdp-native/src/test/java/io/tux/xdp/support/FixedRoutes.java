package io.tux.xdp.support;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.route.RouteInfo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Routes for tests whose veth ends have no kernel addresses (so no routing table or ARP to ask): every remote is
 * on-link through one interface with a known peer MAC.
 */
public final class FixedRoutes {

    private FixedRoutes() {}

    /** Link options whose routes all leave through {@code ifname} from {@code ownMac} to {@code peerMac}. */
    public static AfXdpLink.Options options(String ifname, byte[] ownMac, byte[] peerMac) {
        return AfXdpLink.Options.DEFAULT.withRoutes(source(ifname, ownMac, peerMac));
    }

    public static AfXdpLink.RouteSource source(String ifname, byte[] ownMac, byte[] peerMac) {
        int ifindex;
        try {
            ifindex = Integer.parseInt(Files.readString(Path.of("/sys/class/net", ifname, "ifindex")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (local, remote) -> new RouteInfo(ifname, ifindex, 0, ownMac, peerMac, remote.getAddress(), 1500);
    }
}
