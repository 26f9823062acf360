package io.tux.xdp.xsk;

import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.ByteBuffer;

import static io.tux.xdp.xsk.XdpProgram.XDP_PASS;
import static io.tux.xdp.xsk.XdpProgram.XDP_REDIRECT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * As root: the verdicts of the attached XDP program on hand-made frames (BPF_PROG_TEST_RUN, with a socket in
 * the XSKMAP slot of queue 0): only Tux packets to registered destinations are redirected.
 */
class XdpFilterTest {

    private static final byte[] V4 = {10, 1, 2, 3};
    private static final byte[] V4_OTHER = {10, 1, 2, 4};
    private static final byte[] TUX = {0x54, 0x58, 1, 0, 0, 0, 0, 0};

    @Test
    void onlyTuxPacketsToRegisteredDestinationsAreRedirected() throws Exception {
        Root.require();
        byte[] v6 = InetAddress.getByName("fd00::1").getAddress();
        byte[] v6Other = InetAddress.getByName("fd00::2").getAddress();
        try (Net.Veth v = Net.Veth.rootPair(); AfXdpLink link = AfXdpLink.open(v.a(), 0)) {
            XdpProgram p = link.socket().program();
            p.addDestination(V4, 4000);
            p.addDestination(v6, 4000);

            assertEquals(XDP_REDIRECT, p.testRun(ipv4(V4, 4000, 17, 5, 0, TUX)));
            assertEquals(XDP_REDIRECT, p.testRun(ipv4(V4, 4000, 17, 6, 0, TUX)), "IPv4 options");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4001, 17, 5, 0, TUX)), "unregistered port");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4_OTHER, 4000, 17, 5, 0, TUX)), "unregistered address");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0, new byte[] {0x54, 0x59, 1, 0})), "magic");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0, new byte[] {0x54, 0x58, 2, 0})), "version");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0, new byte[] {0x54, 0x58})), "short payload");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 6, 5, 0, TUX)), "TCP");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0x2000, TUX)), "first fragment");
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0x0010, TUX)), "later fragment");
            byte[] full = ipv4(V4, 4000, 17, 5, 0, TUX);
            assertEquals(XDP_PASS, p.testRun(java.util.Arrays.copyOf(full, 14 + 20 + 4)), "cut in the UDP header");
            assertEquals(XDP_PASS, p.testRun(java.util.Arrays.copyOf(full, 14 + 10)), "cut in the IP header");
            byte[] arp = java.util.Arrays.copyOf(full, 60);
            arp[12] = 0x08;
            arp[13] = 0x06;
            assertEquals(XDP_PASS, p.testRun(arp), "ARP");

            assertEquals(XDP_REDIRECT, p.testRun(ipv6(v6, 4000, 17, TUX)));
            assertEquals(XDP_PASS, p.testRun(ipv6(v6Other, 4000, 17, TUX)), "unregistered IPv6 address");
            assertEquals(XDP_PASS, p.testRun(ipv6(v6, 4001, 17, TUX)), "unregistered IPv6 port");
            assertEquals(XDP_PASS, p.testRun(ipv6(v6, 4000, 6, TUX)), "IPv6 TCP");

            p.removeDestination(V4, 4000);
            assertEquals(XDP_PASS, p.testRun(ipv4(V4, 4000, 17, 5, 0, TUX)), "after removal");
            assertEquals(XDP_REDIRECT, p.testRun(ipv6(v6, 4000, 17, TUX)), "the other one stays");
        }
    }

    private static byte[] ipv4(byte[] dst, int port, int proto, int ihlWords, int frag, byte[] payload) {
        int ihl = ihlWords * 4;
        ByteBuffer b = ByteBuffer.allocate(14 + ihl + 8 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00});
        b.put((byte) (0x40 | ihlWords)).put((byte) 0).putShort((short) (ihl + 8 + payload.length));
        b.putShort((short) 0).putShort((short) frag).put((byte) 64).put((byte) proto).putShort((short) 0);
        b.put(new byte[] {10, 1, 2, 9}).put(dst);
        b.put(new byte[ihl - 20]);
        b.putShort((short) 5555).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }

    private static byte[] ipv6(byte[] dst, int port, int next, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(14 + 40 + 8 + payload.length);
        b.put(new byte[] {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, (byte) 0x86, (byte) 0xdd});
        b.putInt(0x60000000).putShort((short) (8 + payload.length)).put((byte) next).put((byte) 64);
        b.put(new byte[16]).put(dst);
        b.putShort((short) 5555).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0);
        b.put(payload);
        return b.array();
    }
}
