package io.tux.xdp.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.frame.FrameTemplate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouteResolverTest {

    static final byte[] ETH0_MAC = HexFormat.of().parseHex("02fc00000009");
    static final byte[] VA_MAC = HexFormat.of().parseHex("fa6b57e35657");
    static final String ARP_HEADER = ProcNetTest.ARP.lines().findFirst().orElseThrow() + "\n";

    /** Fixed tables; the ARP table can change after a number of reads, as the kernel's would after a solicit. */
    static class FakeView implements NetView {
        final Map<String, Interface> interfaces = new HashMap<>();
        final List<InetAddress> solicited = new ArrayList<>();
        Set<InetAddress> local = Set.of();
        String arpBefore = ProcNetTest.ARP;
        String arpAfter = ProcNetTest.ARP;
        int arpReadsBeforeChange = Integer.MAX_VALUE;
        int arpReads;
        String neigh6 = "";

        FakeView() {
            interfaces.put("lo", new Interface("lo", 1, new byte[6], 65536, true));
            interfaces.put("eth0", new Interface("eth0", 2, ETH0_MAC, 1500, true));
            interfaces.put("vA", new Interface("vA", 7, VA_MAC, 9000, true));
        }

        @Override
        public String ipv4Routes() {
            return ProcNetTest.ROUTE;
        }

        @Override
        public String ipv6Routes() {
            return ProcNetTest.IPV6_ROUTE;
        }

        @Override
        public String arp() {
            return arpReads++ < arpReadsBeforeChange ? arpBefore : arpAfter;
        }

        @Override
        public String ipv6Neighbour(InetAddress address, String iface) {
            return neigh6;
        }

        @Override
        public Set<InetAddress> localAddresses() {
            return local;
        }

        @Override
        public Interface iface(String name) {
            return interfaces.get(name);
        }

        @Override
        public void solicit(InetAddress nextHop) {
            solicited.add(nextHop);
        }
    }

    static InetSocketAddress at(String host, int port) {
        return new InetSocketAddress(host, port);
    }

    private static RouteResolver resolver(FakeView view, Duration wait) {
        return new RouteResolver(view, wait, ByteOrder.LITTLE_ENDIAN);
    }

    @Test
    void onLinkDestinationIsItsOwnNextHop() throws Exception {
        FakeView view = new FakeView();
        RouteInfo r = resolver(view, Duration.ofSeconds(1)).resolve(at("10.77.5.1", 4000), at("10.77.5.2", 5000));
        assertEquals(new RouteInfo("vA", 7, 0, VA_MAC, HexFormat.of().parseHex("8a497f3e4814"),
                InetAddress.getByName("10.77.5.2"), 9000), r);
        assertTrue(view.solicited.isEmpty());
        assertFalse(r.isLoopback());
    }

    @Test
    void remoteDestinationGoesToTheGateway() throws Exception {
        FakeView view = new FakeView();
        RouteInfo r = resolver(view, Duration.ofSeconds(1)).resolve(at("192.0.2.9", 4000), at("198.51.100.7", 80));
        assertEquals("eth0", r.interfaceName());
        assertEquals(2, r.ifIndex());
        assertEquals(InetAddress.getByName("192.0.2.1"), r.nextHop());
        assertArrayEquals(HexFormat.of().parseHex("02fc00000005"), r.nextHopMac());
        assertArrayEquals(ETH0_MAC, r.sourceMac());
        assertEquals(1500, r.mtu());
    }

    @Test
    void localAndLoopbackDestinationsUseLo() throws Exception {
        FakeView view = new FakeView();
        view.local = Set.of(InetAddress.getByName("10.77.5.1"), InetAddress.getByName("127.0.0.1"));
        RouteResolver resolver = resolver(view, Duration.ofSeconds(1));
        for (String destination : List.of("127.0.0.1", "127.3.4.5", "10.77.5.1")) {
            RouteInfo r = resolver.resolve(at("10.77.5.1", 1), at(destination, 2));
            assertEquals(new RouteInfo("lo", 1, 0, new byte[6], new byte[6], InetAddress.getByName(destination), 65536),
                    r, destination);
            assertTrue(r.isLoopback());
        }
        assertEquals("lo", resolver.resolve(at("::1", 1), at("::1", 2)).interfaceName());
        assertTrue(view.solicited.isEmpty());
    }

    @Test
    void missingNeighbourIsSolicitedAndAwaited() throws Exception {
        FakeView view = new FakeView();
        view.arpBefore = ARP_HEADER;
        view.arpReadsBeforeChange = 3;
        RouteInfo r = resolver(view, Duration.ofSeconds(5)).resolve(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertArrayEquals(HexFormat.of().parseHex("8a497f3e4814"), r.nextHopMac());
        assertFalse(view.solicited.isEmpty());
        assertTrue(view.solicited.stream().allMatch(a -> a.getHostAddress().equals("10.77.5.2")), view.solicited::toString);
        assertEquals(4, view.arpReads);
    }

    @Test
    void incompleteNeighbourFailsAfterTheBoundedWaitWithAClearMessage() throws Exception {
        FakeView view = new FakeView();
        RouteResolver resolver = resolver(view, Duration.ofMillis(30));
        IOException e = assertThrows(IOException.class, () -> resolver.resolve(at("10.77.5.1", 1), at("10.77.5.3", 2)));
        assertEquals("no link-layer address for next hop 10.77.5.3 on vA (route to 10.77.5.3) after 30 ms: "
                + "ARP got no answer", e.getMessage());
        assertFalse(view.solicited.isEmpty());
        assertTrue(view.solicited.stream().allMatch(a -> a.getHostAddress().equals("10.77.5.3")));
    }

    @Test
    void missingRouteAndInterfaceProblemsAreReported() throws Exception {
        FakeView view = new FakeView();
        RouteResolver resolver = resolver(view, Duration.ofMillis(10));
        // 10.0.0.9 goes through eth1, which does not exist here.
        IOException noIface = assertThrows(IOException.class, () -> resolver.resolve(at("10.0.0.1", 1), at("10.0.0.9", 2)));
        assertEquals("the route to 10.0.0.9 uses interface eth1, which does not exist in this network namespace",
                noIface.getMessage());
        view.interfaces.put("vA", new NetView.Interface("vA", 7, VA_MAC, 9000, false));
        IOException down = assertThrows(IOException.class, () -> resolver.resolve(at("10.77.5.1", 1), at("10.77.5.2", 2)));
        assertEquals("interface vA (route to 10.77.5.2) is down", down.getMessage());
        FakeView noDefault = new FakeView() {
            @Override
            public String ipv4Routes() {
                return ProcNetTest.ROUTE.lines().filter(l -> !l.contains("010200C0")).reduce("", (a, b) -> a + b + "\n");
            }
        };
        IOException noRoute = assertThrows(IOException.class,
                () -> resolver(noDefault, Duration.ofMillis(10)).resolve(at("10.77.5.1", 1), at("8.8.8.8", 2)));
        assertEquals("no route to 8.8.8.8 in /proc/net/route (main table of this network namespace)",
                noRoute.getMessage());
        assertThrows(IllegalArgumentException.class, () -> resolver.resolve(at("10.77.5.1", 1), at("::1", 2)));
        assertThrows(IllegalArgumentException.class,
                () -> resolver.resolve(at("10.77.5.1", 1), InetSocketAddress.createUnresolved("peer", 2)));
    }

    @Test
    void ipv6OnLinkAndViaGateway() throws Exception {
        FakeView view = new FakeView();
        view.neigh6 = "fd00:77:5::2 lladdr 8a:49:7f:3e:48:14 REACHABLE\n";
        RouteResolver resolver = resolver(view, Duration.ofMillis(10));
        RouteInfo onLink = resolver.resolve(at("fd00:77:5::1", 1), at("fd00:77:5::2", 2));
        assertEquals("vA", onLink.interfaceName());
        assertEquals(InetAddress.getByName("fd00:77:5::2"), onLink.nextHop());
        assertArrayEquals(HexFormat.of().parseHex("8a497f3e4814"), onLink.nextHopMac());
        RouteInfo viaGateway = resolver.resolve(at("fd00::2", 1), at("2001:db8::1", 2));
        assertEquals("eth0", viaGateway.interfaceName());
        assertEquals(InetAddress.getByName("fd00::1"), viaGateway.nextHop());
        view.neigh6 = "fd00::1 FAILED\n";
        IOException e = assertThrows(IOException.class, () -> resolver.resolve(at("fd00::2", 1), at("2001:db8::1", 2)));
        assertTrue(e.getMessage().endsWith("neighbour discovery got no answer"), e.getMessage());
    }

    @Test
    void routeInfoCopiesItsArraysAndMakesTemplates() throws Exception {
        byte[] mac = VA_MAC.clone();
        RouteInfo r = new RouteInfo("vA", 7, 0, mac, ETH0_MAC, InetAddress.getByName("10.77.5.2"), 1500);
        mac[0] = 0;
        assertArrayEquals(VA_MAC, r.sourceMac());
        r.sourceMac()[1] = 0;
        assertArrayEquals(VA_MAC, r.sourceMac());
        FrameTemplate t = r.frameTemplate(at("10.77.5.1", 1), at("10.77.5.2", 2));
        assertEquals(0xfa6b57e35657L, t.srcMac());
        assertEquals(0x02fc00000009L, t.dstMac());
        assertEquals(1472, t.maxPayload(r.mtu()));
        assertThrows(IllegalArgumentException.class,
                () -> new RouteInfo("vA", 0, 0, VA_MAC, VA_MAC, InetAddress.getByName("10.77.5.2"), 1500));
    }

    /** The real tables of the namespace this test runs in. */
    @Test
    void liveLoopbackResolvesToLo() throws Exception {
        RouteInfo r = new RouteResolver().resolve(at("127.0.0.1", 40000), at("127.0.0.1", 40001));
        NetworkInterface lo = NetworkInterface.getByName("lo");
        assertEquals(new RouteInfo("lo", lo.getIndex(), 0, new byte[6], new byte[6], InetAddress.getByName("127.0.0.1"),
                lo.getMTU()), r);
    }
}
