package io.tux.xdp.link;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;

/**
 * Finds the Ethernet address of a peer on an interface. The kernel's default reads its ARP table
 * (/proc/net/arp); on {@code lo} every address is all zeros. A Tux connection rides on an established
 * TCP connection, so the kernel has normally resolved the peer already.
 *
 * <p>Threading: implementations are called from whichever thread opens a route.
 */
@FunctionalInterface
public interface NeighbourTable {

    /** The 6-byte MAC of {@code peer} on {@code ifname}. */
    byte[] macOf(String ifname, Inet4Address peer) throws IOException;

    /** The kernel's IPv4 neighbour table, as /proc/net/arp shows it. */
    static NeighbourTable kernel() {
        return (ifname, peer) -> {
            if (ifname.equals("lo")) {
                return new byte[6];
            }
            List<String> lines = Files.readAllLines(Path.of("/proc/net/arp"));
            // IP address  HW type  Flags  HW address  Mask  Device
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
                String[] f = line.trim().split("\\s+");
                if (f.length >= 6 && f[0].equals(peer.getHostAddress()) && f[5].equals(ifname)
                        && (Integer.decode(f[2]) & 0x2) != 0) {
                    return HexFormat.ofDelimiter(":").parseHex(f[3]);
                }
            }
            throw new IOException("no complete ARP entry for " + peer.getHostAddress() + " on " + ifname);
        };
    }
}
