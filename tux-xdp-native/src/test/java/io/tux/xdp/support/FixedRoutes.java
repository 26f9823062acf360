package io.tux.xdp.support;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.route.RouteInfo;
import io.tux.xdp.xsk.XdpUnavailableException;

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

    /** A link on end a of {@code v} (queue 0, the program's preferred mode) whose routes all go to end b. */
    public static AfXdpLink linkOnA(Net.Veth v) throws IOException, XdpUnavailableException {
        return AfXdpLink.open(v.a(), 0, options(v.a(), v.mac(v.a()), v.mac(v.b())));
    }

    /** A link on end b of {@code v} (queue 0, the program's preferred mode) whose routes all go to end a. */
    public static AfXdpLink linkOnB(Net.Veth v) throws IOException, XdpUnavailableException {
        return AfXdpLink.open(v.b(), 0, options(v.b(), v.mac(v.b()), v.mac(v.a())));
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
