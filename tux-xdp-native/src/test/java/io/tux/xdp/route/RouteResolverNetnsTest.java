package io.tux.xdp.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Root-only: a child JVM inside namespace A resolves the peer in namespace B, its own address and loopback. */
class RouteResolverNetnsTest {

    private static final Pattern LINK = Pattern.compile("^(\\d+): (\\S+?)[@:].*link/\\S+ ([0-9a-f:]{17})");

    /** {ifindex, mac} of {@code iface} as {@code ip -o link} prints them inside the namespace. */
    private static String[] link(NetnsTestBed bed, String ns, String iface) throws Exception {
        String line = bed.execIn(ns, "ip", "-o", "link", "show", "dev", iface).trim();
        Matcher m = LINK.matcher(line);
        assertTrue(m.find(), line);
        return new String[] {m.group(1), m.group(3)};
    }

    @Test
    void resolvesThePeerAcrossTheVethFromInsideANamespace() throws Exception {
        NetnsRequirement.require();
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            String a6 = bed.address6A().getHostAddress();
            String b6 = bed.address6B().getHostAddress();
            assertTrue(bed.execIn(bed.nsA(), "cat", "/proc/net/arp").lines().count() == 1, "ARP table starts empty");

            Process child = bed.start(bed.javaInA(ResolveMain.class.getName(),
                    List.of(a, b, a, "127.0.0.1", "192.0.2.1")).redirectErrorStream(true));
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child finished");
            List<String> out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            Process child6 = bed.start(bed.javaInA(ResolveMain.class.getName(), List.of(a6, b6, a6))
                    .redirectErrorStream(true));
            assertTrue(child6.waitFor(60, TimeUnit.SECONDS), "child finished");
            List<String> out6 = new String(child6.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();

            String[] vA = link(bed, bed.nsA(), "vA");
            String[] vB = link(bed, bed.nsB(), "vB");
            String[] lo = link(bed, bed.nsA(), "lo");
            assertEquals(List.of(
                    "ROUTE " + b + " vA " + vA[0] + " 0 " + vA[1] + " " + vB[1] + " " + b + " 1500",
                    "ROUTE " + a + " lo " + lo[0] + " 0 00:00:00:00:00:00 00:00:00:00:00:00 " + a + " 65536",
                    "ROUTE 127.0.0.1 lo " + lo[0] + " 0 00:00:00:00:00:00 00:00:00:00:00:00 127.0.0.1 65536",
                    "ERROR 192.0.2.1 java.io.IOException: no route to 192.0.2.1 in /proc/net/route "
                            + "(main table of this network namespace)",
                    "DONE"), out);
            assertEquals(List.of(
                    "ROUTE " + b6 + " vA " + vA[0] + " 0 " + vA[1] + " " + vB[1] + " " + b6 + " 1500",
                    "ROUTE " + a6 + " lo " + lo[0] + " 0 00:00:00:00:00:00 00:00:00:00:00:00 " + a6 + " 65536",
                    "DONE"), out6);
            // The resolver's solicitation made the kernel learn B's MAC.
            assertTrue(bed.execIn(bed.nsA(), "cat", "/proc/net/arp").contains(vB[1]));
        }
    }
}
