package io.tux.xdp.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The /proc/net parsers over fixed file contents, as a little-endian kernel prints them. */
class ProcNetTest {

    /** Default via 192.0.2.1 on eth0, 192.0.2.0/24 on-link, 10.77.5.0/24 on vA, a /32 host route, one down. */
    static final String ROUTE = """
            Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                  \s
            eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0                                          \s
            eth0\t000200C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0                                          \s
            vA\t00054D0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0                                              \s
            vB\t00054D0A\t00000000\t0001\t0\t0\t50\t00FFFFFF\t0\t0\t0                                             \s
            eth1\t0900000A\t0200000A\t0007\t0\t0\t0\tFFFFFFFF\t0\t0\t0                                            \s
            eth2\t00000A0A\t00000000\t0000\t0\t0\t0\t0000FFFF\t0\t0\t0                                            \s
            """;

    static final String ARP = """
            IP address       HW type     Flags       HW address            Mask     Device
            192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
            10.77.5.2        0x1         0x2         8a:49:7f:3e:48:14     *        vA
            10.77.5.3        0x1         0x0         00:00:00:00:00:00     *        vA
            10.77.5.4        0x1         0x6         aa:bb:cc:dd:ee:ff     *        vB
            """;

    static final String IPV6_ROUTE = """
            fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001     eth0
            fe800000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000002 00000000 00000001     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 fd000000000000000000000000000001 00000400 00000002 00000000 00000003     eth0
            00000000000000000000000000000001 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000002 00000000 80200001       lo
            fd000000000000000000000000000002 80 00000000000000000000000000000000 00 00000000000000000000000000000000 00000000 00000003 00000000 80200001     eth0
            fd000077000500000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 00000001       vA
            ff000000000000000000000000000000 08 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000003 00000000 00000001     eth0
            00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo
            """;

    static int ip(String s) throws Exception {
        return ProcNet.ipv4ToInt((java.net.Inet4Address) InetAddress.getByName(s));
    }

    @Test
    void parsesRouteLinesInHostByteOrder() throws Exception {
        List<ProcNet.Ipv4Route> routes = ProcNet.parseIpv4Routes(ROUTE, ByteOrder.LITTLE_ENDIAN);
        assertEquals(6, routes.size());
        ProcNet.Ipv4Route dflt = routes.get(0);
        assertEquals("eth0", dflt.iface());
        assertEquals(0, dflt.destination());
        assertEquals(ip("192.0.2.1"), dflt.gateway());
        assertEquals(3, dflt.flags());
        assertEquals(100, dflt.metric());
        assertEquals(0, dflt.prefixLength());
        assertEquals(ip("10.77.5.0"), routes.get(2).destination());
        assertEquals(24, routes.get(2).prefixLength());
        // The same text read as if a big-endian kernel had printed it gives reversed addresses.
        assertEquals(Integer.reverseBytes(ip("192.0.2.1")),
                ProcNet.parseIpv4Routes(ROUTE, ByteOrder.BIG_ENDIAN).get(0).gateway());
    }

    @Test
    void longestPrefixThenLowestMetric() throws Exception {
        List<ProcNet.Ipv4Route> routes = ProcNet.parseIpv4Routes(ROUTE, ByteOrder.LITTLE_ENDIAN);
        assertEquals("vA", ProcNet.lookupIpv4(routes, ip("10.77.5.2")).iface());       // metric 0 beats 50
        assertEquals("eth1", ProcNet.lookupIpv4(routes, ip("10.0.0.9")).iface());      // /32 host route
        assertEquals("eth0", ProcNet.lookupIpv4(routes, ip("192.0.2.77")).iface());
        assertEquals(0, ProcNet.lookupIpv4(routes, ip("192.0.2.77")).gateway());
        assertSame(routes.get(0), ProcNet.lookupIpv4(routes, ip("10.10.1.1")));        // eth2 is not up
        assertSame(routes.get(0), ProcNet.lookupIpv4(routes, ip("8.8.8.8")));
        assertNull(ProcNet.lookupIpv4(routes.subList(1, 6), ip("8.8.8.8")));
    }

    @Test
    void parsesArpAndKeepsOnlyCompleteEntriesOnTheRightDevice() throws Exception {
        List<ProcNet.ArpEntry> arp = ProcNet.parseArp(ARP);
        assertEquals(4, arp.size());
        assertArrayEquals(HexFormat.of().parseHex("8a497f3e4814"),
                ProcNet.arpLookup(arp, InetAddress.getByName("10.77.5.2"), "vA"));
        assertNull(ProcNet.arpLookup(arp, InetAddress.getByName("10.77.5.2"), "vB"));  // wrong device
        assertNull(ProcNet.arpLookup(arp, InetAddress.getByName("10.77.5.3"), "vA"));  // incomplete
        assertNull(ProcNet.arpLookup(arp, InetAddress.getByName("10.77.5.9"), "vA"));  // missing
        assertArrayEquals(HexFormat.of().parseHex("aabbccddeeff"),
                ProcNet.arpLookup(arp, InetAddress.getByName("10.77.5.4"), "vB"));     // permanent
        assertTrue(ProcNet.parseArp(ARP.lines().findFirst().orElseThrow()).isEmpty());
    }

    @Test
    void parsesIpv6RoutesAndSkipsTheLocalTable() throws Exception {
        List<ProcNet.Ipv6Route> routes = ProcNet.parseIpv6Routes(IPV6_ROUTE);
        assertEquals(8, routes.size());
        byte[] peer = InetAddress.getByName("fd00:77:5::2").getAddress();
        ProcNet.Ipv6Route onLink = ProcNet.lookupIpv6(routes, peer);
        assertEquals("vA", onLink.iface());
        assertFalse(onLink.hasGateway());
        ProcNet.Ipv6Route viaGateway = ProcNet.lookupIpv6(routes, InetAddress.getByName("2001:db8::1").getAddress());
        assertEquals("eth0", viaGateway.iface());
        assertTrue(viaGateway.hasGateway());
        assertEquals(InetAddress.getByName("fd00::1"), ProcNet.bytesToIpv6(viaGateway.nextHop()));
        // fd00::2 is a local address: its /128 is in the local table and skipped; the /64 on eth0 matches.
        ProcNet.Ipv6Route local = ProcNet.lookupIpv6(routes, InetAddress.getByName("fd00::2").getAddress());
        assertEquals(64, local.prefixLength());
        assertNull(ProcNet.lookupIpv6(routes.subList(3, 5), InetAddress.getByName("::1").getAddress()));
    }

    @Test
    void prefixMatchingStopsAtTheRightBit() throws Exception {
        ProcNet.Ipv6Route r = new ProcNet.Ipv6Route("x", InetAddress.getByName("2001:db8:ff00::").getAddress(), 36,
                new byte[16], 0, 1);
        assertTrue(r.matches(InetAddress.getByName("2001:db8:f000::1").getAddress()));
        assertFalse(r.matches(InetAddress.getByName("2001:db8:e000::1").getAddress()));
    }

    @Test
    void parsesIpNeighOutput() {
        assertArrayEquals(HexFormat.of().parseHex("8a497f3e4814"),
                ProcNet.parseIpNeigh("fd00:77:5::2 lladdr 8a:49:7f:3e:48:14 REACHABLE\n"));
        assertArrayEquals(HexFormat.of().parseHex("8a497f3e4814"),
                ProcNet.parseIpNeigh("fd00:77:5::2 lladdr 8a:49:7f:3e:48:14 router STALE\n"));
        assertNull(ProcNet.parseIpNeigh("fd00::1 FAILED\n"));
        assertNull(ProcNet.parseIpNeigh("fd00::1 INCOMPLETE\n"));
        assertNull(ProcNet.parseIpNeigh(""));
    }

    @Test
    void rejectsMalformedLines() {
        assertThrows(IllegalArgumentException.class,
                () -> ProcNet.parseIpv4Routes("header\neth0 00000000\n", ByteOrder.LITTLE_ENDIAN));
        assertThrows(IllegalArgumentException.class, () -> ProcNet.parseArp("header\n1.2.3 0x1 0x2 x * eth0\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcNet.parseIpv6Routes("abc 40\n"));
    }
}
