package io.tux.xdp.route;

import io.tux.xdp.frame.MacAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Parsers for the routing and neighbour tables as the kernel prints them under {@code /proc/net}, kept apart
 * from file reading so they can be tested with fixed contents, and the longest-prefix lookups over them.
 * Stateless; any thread.
 */
final class ProcNet {

    static final int RTF_UP = 0x0001;
    static final int RTF_GATEWAY = 0x0002;
    static final int RTF_REJECT = 0x0200;
    static final int RTF_LOCAL_IPV6 = 0x8000_0000;
    static final int ATF_COM = 0x02;

    private ProcNet() {
    }

    /** One line of {@code /proc/net/route}; addresses as ints, first byte most significant. */
    record Ipv4Route(String iface, int destination, int gateway, int flags, int metric, int mask) {

        int prefixLength() {
            return Integer.bitCount(mask);
        }

        boolean matches(int address) {
            return (address & mask) == (destination & mask);
        }
    }

    /** One line of {@code /proc/net/ipv6_route}. */
    record Ipv6Route(String iface, byte[] destination, int prefixLength, byte[] nextHop, int metric, int flags) {

        boolean matches(byte[] address) {
            int full = prefixLength / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != destination[i]) {
                    return false;
                }
            }
            int rest = prefixLength % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (destination[full] & mask);
        }

        boolean hasGateway() {
            for (byte b : nextHop) {
                if (b != 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One line of {@code /proc/net/arp}. */
    record ArpEntry(InetAddress address, int flags, byte[] mac, String device) {

        boolean complete() {
            return (flags & ATF_COM) != 0 && MacAddress.toLong(mac) != 0;
        }
    }

    /**
     * Parses {@code /proc/net/route}: a header line, then {@code Iface Destination Gateway Flags RefCnt Use
     * Metric Mask MTU Window IRTT} with addresses in hex in the kernel's byte order ({@code order}).
     */
    static List<Ipv4Route> parseIpv4Routes(String text, ByteOrder order) {
        List<Ipv4Route> routes = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 8) {
                throw new IllegalArgumentException("malformed /proc/net/route line: '" + line + "'");
            }
            routes.add(new Ipv4Route(f[0], hexAddress(f[1], order), hexAddress(f[2], order),
                    Integer.parseUnsignedInt(f[3], 16), Integer.parseInt(f[6]), hexAddress(f[7], order)));
        }
        return routes;
    }

    private static int hexAddress(String hex, ByteOrder order) {
        int v = Integer.parseUnsignedInt(hex, 16);
        return order == ByteOrder.LITTLE_ENDIAN ? Integer.reverseBytes(v) : v;
    }

    /** The usable route with the longest prefix covering {@code address}, lowest metric first; null if none. */
    static Ipv4Route lookupIpv4(List<Ipv4Route> routes, int address) {
        Ipv4Route best = null;
        for (Ipv4Route r : routes) {
            if ((r.flags() & RTF_UP) == 0 || !r.matches(address)) {
                continue;
            }
            if (best == null || r.prefixLength() > best.prefixLength()
                    || r.prefixLength() == best.prefixLength() && r.metric() < best.metric()) {
                best = r;
            }
        }
        return best;
    }

    /**
     * Parses {@code /proc/net/ipv6_route}: {@code dest plen src splen nexthop metric refcnt use flags iface},
     * addresses as 32 hex digits in network order, numbers in hex.
     */
    static List<Ipv6Route> parseIpv6Routes(String text) {
        List<Ipv6Route> routes = new ArrayList<>();
        for (String raw : text.lines().toList()) {
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 10 || f[0].length() != 32 || f[4].length() != 32) {
                throw new IllegalArgumentException("malformed /proc/net/ipv6_route line: '" + line + "'");
            }
            routes.add(new Ipv6Route(f[9], HexFormat.of().parseHex(f[0]), Integer.parseInt(f[1], 16),
                    HexFormat.of().parseHex(f[4]), Integer.parseUnsignedInt(f[5], 16),
                    Integer.parseUnsignedInt(f[8], 16)));
        }
        return routes;
    }

    /**
     * Like {@link #lookupIpv4} for IPv6. Routes of the local table (flag RTF_LOCAL, or through {@code lo}) are
     * skipped: local destinations are recognised before any lookup.
     */
    static Ipv6Route lookupIpv6(List<Ipv6Route> routes, byte[] address) {
        Ipv6Route best = null;
        for (Ipv6Route r : routes) {
            if ((r.flags() & RTF_UP) == 0 || (r.flags() & RTF_LOCAL_IPV6) != 0
                    || r.iface().equals(RouteResolver.LOOPBACK) || !r.matches(address)) {
                continue;
            }
            if (best == null || r.prefixLength() > best.prefixLength()
                    || r.prefixLength() == best.prefixLength() && Integer.compareUnsigned(r.metric(), best.metric()) < 0) {
                best = r;
            }
        }
        return best;
    }

    /**
     * Parses {@code /proc/net/arp}: a header line, then {@code IP-address HW-type Flags HW-address Mask
     * Device}.
     */
    static List<ArpEntry> parseArp(String text) {
        List<ArpEntry> entries = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split("\\s+");
            if (f.length < 6) {
                throw new IllegalArgumentException("malformed /proc/net/arp line: '" + line + "'");
            }
            entries.add(new ArpEntry(ipv4Literal(f[0]), Integer.decode(f[2]), MacAddress.parse(f[3]), f[5]));
        }
        return entries;
    }

    /** The MAC of {@code address} on {@code device} if its ARP entry is complete, else null. */
    static byte[] arpLookup(List<ArpEntry> entries, InetAddress address, String device) {
        for (ArpEntry e : entries) {
            if (e.address().equals(address) && e.device().equals(device) && e.complete()) {
                return e.mac();
            }
        }
        return null;
    }

    /**
     * The MAC in the output of {@code ip -6 neigh show to ADDR dev IF} ({@code ADDR lladdr MAC STATE}), or null
     * if the entry is missing, has no link-layer address, or is INCOMPLETE or FAILED.
     */
    static byte[] parseIpNeigh(String text) {
        for (String line : text.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            for (int i = 0; i + 1 < f.length; i++) {
                if (f[i].equals("lladdr")) {
                    String state = f[f.length - 1];
                    if (state.equals("INCOMPLETE") || state.equals("FAILED")) {
                        return null;
                    }
                    return MacAddress.parse(f[i + 1]);
                }
            }
        }
        return null;
    }

    static int ipv4ToInt(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    static Inet4Address intToIpv4(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(
                    new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static Inet6Address bytesToIpv6(byte[] b) {
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static InetAddress ipv4Literal(String text) {
        String[] parts = text.split("\\.");
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
        }
        int v = 0;
        for (String p : parts) {
            int octet = Integer.parseInt(p);
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: '" + text + "'");
            }
            v = v << 8 | octet;
        }
        return intToIpv4(v);
    }
}
