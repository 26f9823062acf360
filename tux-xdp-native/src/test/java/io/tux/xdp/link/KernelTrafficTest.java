package io.tux.xdp.link;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.support.UdpEcho;
import io.tux.xdp.route.RouteInfo;
import io.tux.xdp.route.RouteResolver;
import io.tux.xdp.xsk.XdpProgram;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * As root, with the Tux program attached to our end of a veth pair whose other end is in a namespace the test
 * created: kernel TCP and ARP still work, plain UDP and Tux packets to unregistered ports reach kernel
 * sockets, Tux packets to registered destinations reach the AF_XDP link, and frames the link writes are
 * accepted by the peer's kernel UDP stack.
 */
class KernelTrafficTest {

    @Test
    void kernelTrafficIsPassedAndTuxTrafficIsRedirected() throws Exception {
        Root.require();
        String prefix = "10." + (100 + ProcessHandle.current().pid() % 100) + ".77";
        String local = prefix + ".1";
        String peer = prefix + ".2";
        try (Net.Veth v = Net.Veth.toNamespace(prefix);
                // Verification of UDP checksums off: the Tux-shaped datagram below is built by the peer's kernel,
                // and veth carries kernel UDP with an unfinished (CHECKSUM_PARTIAL) checksum.
                AfXdpLink link = AfXdpLink.open(v.a(), 0, AfXdpLink.Options.DEFAULT.withVerifyUdpChecksum(false).withForcedMode(XdpProgram.Mode.NATIVE))) {
            assertEquals(XdpProgram.Mode.NATIVE, link.socket().mode());
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(link.socket().ifindex()));

            // (1) Kernel TCP from the namespace to us, which needs ARP both ways.
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(local, 7300));
                server.setSoTimeout(20_000);
                CompletableFuture<String> served = CompletableFuture.supplyAsync(() -> {
                    try (Socket s = server.accept()) {
                        s.setSoTimeout(20_000);
                        String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                        PrintWriter w = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8);
                        w.println("reply-" + line);
                        return line;
                    } catch (Exception e) {
                        return "server failed: " + e;
                    }
                });
                String out = Net.run("ip", "netns", "exec", v.ns(), "bash", "-c",
                        "exec 3<>/dev/tcp/" + local + "/7300; echo hello-tux >&3; read -r -t 15 line <&3; echo \"$line\"");
                assertEquals("hello-tux", served.get(20, TimeUnit.SECONDS));
                assertEquals("reply-hello-tux", out.trim());
            }
            // (2) ARP worked: the kernel knows the peer's MAC, and the link finds it there.
            RouteInfo toPeer = new RouteResolver().resolve(new InetSocketAddress(local, 7100),
                    new InetSocketAddress(peer, 7200));
            assertEquals(v.a(), toPeer.interfaceName());
            assertArrayEquals(v.mac(v.b()), toPeer.nextHopMac());

            // (3) UDP: only Tux packets to registered destinations go to the socket.
            int route = link.openRoute(new InetSocketAddress(local, 7100), new InetSocketAddress(peer, 7200));
            try (DatagramSocket registered = new DatagramSocket(new InetSocketAddress(local, 7100));
                    DatagramSocket unregistered = new DatagramSocket(new InetSocketAddress(local, 7101))) {
                registered.setSoTimeout(20_000);
                unregistered.setSoTimeout(20_000);
                Net.run("ip", "netns", "exec", v.ns(), "bash", "-c",
                        "printf 'TX\\001tux-to-7100' > /dev/udp/" + local + "/7100;"
                                + " printf 'plain-udp' > /dev/udp/" + local + "/7100;"
                                + " printf 'TX\\002tux-to-7101' > /dev/udp/" + local + "/7101");
                assertEquals("plain-udp", receive(registered), "the kernel socket gets the plain datagram only");
                assertEquals("TX\u0002tux-to-7101", receive(unregistered), "Tux to an unregistered port: kernel");
                List<String> viaXdp = new ArrayList<>();
                List<Integer> routes = new ArrayList<>();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (viaXdp.isEmpty() && System.nanoTime() < deadline) {
                    link.poll((r, seg, off, len) -> {
                        routes.add(r);
                        viaXdp.add(new String(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1));
                    }, 64);
                }
                assertEquals(List.of("TX\u0001tux-to-7100"), viaXdp);
                assertEquals(List.of(io.tux.core.link.Link.NO_ROUTE), routes, "bash's source port has no route");
            }

            // (4) Frames the link writes are valid for the peer's kernel: a UDP echo in the namespace sends
            // them back, and they arrive on the route with every byte intact.
            try (ChildJvm echo = ChildJvm.start(v.ns(), UdpEcho.class, peer, "7200", "500")) {
                echo.awaitLine("READY", 30);
                Packets.exchange(link, route, link, route, 9, 500, link.mtu(), 4);
                assertEquals("DONE 500", echo.awaitLine("DONE", 30));
            }
            Packets.assertAllFramesAccounted(link);
            assertTrue(link.malformed() == 0);
            byte[] ping = Packets.packet(1, 1, 64);
            assertTrue(link.send(route, MemorySegment.ofArray(ping), 0, ping.length));
        }
    }

    private static String receive(DatagramSocket s) throws Exception {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        s.receive(p);
        return new String(p.getData(), 0, p.getLength(), StandardCharsets.ISO_8859_1);
    }
}
