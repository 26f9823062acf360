package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.Root;
import io.tux.xdp.testbed.EchoServer;
import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * As root, in a {@link NetnsTestBed}: two child JVMs, one in each namespace, each with an {@link AfXdpStack},
 * open the two ends of one Tux connection over the veth pair (native XDP, AF_XDP) and move 1,000,000 packets'
 * worth of pattern bytes (1,440,000,000) from A to B, every byte checked, then the FIN. In the same test, while
 * the Tux connection is up and the program is attached on both ends: a second process in A that asks for the
 * same queue is told QUEUE_BUSY; a kernel TCP connection between the namespaces echoes exact bytes; ARP resolved
 * both peers; and the kernel's TCP counters of both namespaces hardly move during the Tux transfer (the data did
 * not go through kernel TCP). When the children exit, the program is gone from both ends.
 * {@code -Dtux.stack.bytes=N} moves N bytes instead.
 */
class StackVethTest {

    /** TCP segments the kernel may count during the transfer: strays of the echo connection's close. */
    private static final long HANDFUL = 5;

    @Test
    void aMillionPacketsWorthBetweenNamespacesWhileKernelTcpAndArpKeepWorking() throws Exception {
        NetnsRequirement.require();
        Root.require();
        long total = Long.getLong("tux.stack.bytes", StackLoopbackTest.PACKETS_WORTH);
        String budget = Long.toString(TimeUnit.MICROSECONDS.toNanos(200));
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            List<String> jvm = List.of("-Xmx512m");
            try (ChildJvm receiver = ChildJvm.startTuned(bed.nsB(), jvm, StackPeer.class, "recv", b, "5001", a, "5000",
                            Long.toString(total), budget);
                    ChildJvm sender = ChildJvm.startTuned(bed.nsA(), jvm, StackPeer.class, "send", a, "5000", b, "5001",
                            Long.toString(total), budget)) {
                assertEquals("ESTABLISHED GENERIC", sender.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH"));
                assertEquals("ESTABLISHED GENERIC", receiver.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH"));
                assertTrue(bed.execIn(bed.nsA(), "ip", "-o", "link", "show", "dev", bed.ifaceA()).contains(" xdp"));
                assertTrue(bed.execIn(bed.nsB(), "ip", "-o", "link", "show", "dev", bed.ifaceB()).contains(" xdp"));

                // A second process wanting the same interface queue gets a clear answer, not a crash.
                try (ChildJvm second = ChildJvm.startTuned(bed.nsA(), List.of("-Xmx128m"), StackPeer.class, "hold",
                        a, "6000", b, "6001", "0", "0")) {
                    String line = second.awaitAnyLine(120, "UNAVAILABLE", "ESTABLISHED", "CRASH");
                    assertTrue(line.startsWith("UNAVAILABLE QUEUE_BUSY "), line);
                    second.tell("exit");
                    assertEquals(3, second.awaitExit(30));
                }

                // Kernel TCP between the namespaces, through the interfaces that carry the program.
                kernelTcpEcho(bed, a, b);
                // ARP: each namespace resolved the other's veth end.
                assertNeighbour(bed, bed.nsA(), bed.ifaceA(), b, mac(bed, bed.nsB(), bed.ifaceB()));
                assertNeighbour(bed, bed.nsB(), bed.ifaceB(), a, mac(bed, bed.nsA(), bed.ifaceA()));

                Map<String, Long> a0 = bed.snmp(bed.nsA());
                Map<String, Long> b0 = bed.snmp(bed.nsB());
                sender.tell("go");
                String result = receiver.awaitAnyLine(900, "RESULT", "CRASH");
                Map<String, Long> a1 = bed.snmp(bed.nsA());
                Map<String, Long> b1 = bed.snmp(bed.nsB());
                System.out.println("veth receiver: " + result);
                Matcher m = java.util.regex.Pattern
                        .compile("RESULT bytes=(\\d+) mismatch=(-?\\d+) eof=(\\w+) mbps=([\\d.]+)").matcher(result);
                assertTrue(m.matches(), result);
                assertEquals(-1, Long.parseLong(m.group(2)), "first wrong byte");
                assertEquals(total, Long.parseLong(m.group(1)), "bytes before the end of the stream");
                assertEquals("true", m.group(3), "end of stream seen");
                String sent = sender.awaitAnyLine(120, "SENT", "CRASH");
                System.out.println("veth sender: " + sent);
                assertTrue(sent.startsWith("SENT " + total + " "), sent);
                String receiverDone = receiver.awaitAnyLine(120, "DONE", "CRASH");
                String senderDone = sender.awaitAnyLine(120, "DONE", "CRASH");
                System.out.println("veth receiver: " + receiverDone);
                System.out.println("veth sender: " + senderDone);
                assertTrue(receiverDone.startsWith("DONE CLOSED "), "both FINs exchanged: " + receiverDone);
                assertTrue(senderDone.startsWith("DONE true CLOSED "), "end of stream, both FINs: " + senderDone);
                assertEquals(0, receiver.awaitExit(60));
                assertEquals(0, sender.awaitExit(60));

                System.out.println("TCP segments during the transfer: A in " + (a1.get("Tcp.InSegs") - a0.get("Tcp.InSegs"))
                        + " out " + (a1.get("Tcp.OutSegs") - a0.get("Tcp.OutSegs")) + ", B in "
                        + (b1.get("Tcp.InSegs") - b0.get("Tcp.InSegs")) + " out "
                        + (b1.get("Tcp.OutSegs") - b0.get("Tcp.OutSegs")));
                for (String k : List.of("Tcp.InSegs", "Tcp.OutSegs")) {
                    assertTrue(a1.get(k) - a0.get(k) <= HANDFUL, k + " in A moved: " + a0.get(k) + " -> " + a1.get(k));
                    assertTrue(b1.get(k) - b0.get(k) <= HANDFUL, k + " in B moved: " + b0.get(k) + " -> " + b1.get(k));
                }
            }
            assertFalse(bed.execIn(bed.nsA(), "ip", "-o", "link", "show", "dev", bed.ifaceA()).contains(" xdp"),
                    "program detached from vA when its process exited");
            assertFalse(bed.execIn(bed.nsB(), "ip", "-o", "link", "show", "dev", bed.ifaceB()).contains(" xdp"),
                    "program detached from vB when its process exited");
        }
    }

    /** A TCP echo: server JVM in B, bash /dev/tcp client in A; exact bytes back, both processes exit 0. */
    static void kernelTcpEcho(NetnsTestBed bed, String a, String b) throws Exception {
        String message = "kernel tcp from " + a + " while Tux runs\n";
        int length = message.getBytes(StandardCharsets.US_ASCII).length;
        try (ChildJvm server = ChildJvm.start(bed.nsB(), EchoServer.class, b, "0", Integer.toString(length))) {
            String port = server.awaitLine("LISTENING ", 60).substring("LISTENING ".length()).trim();
            Process client = bed.startInA(List.of("bash", "-c",
                    "exec 3<>/dev/tcp/$0/$1 && printf %s \"$2\" >&3 && cat <&3", b, port, message));
            assertTrue(client.waitFor(30, TimeUnit.SECONDS), "TCP client finished");
            byte[] echoed = client.getInputStream().readAllBytes();
            assertEquals(0, client.exitValue(), new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertArrayEquals(message.getBytes(StandardCharsets.US_ASCII), echoed);
            assertEquals(0, server.awaitExit(30));
        }
    }

    static String mac(NetnsTestBed bed, String ns, String iface) throws Exception {
        String out = bed.execIn(ns, "ip", "-o", "link", "show", "dev", iface);
        int i = out.indexOf("link/ether ");
        return out.substring(i + 11, i + 28);
    }

    static void assertNeighbour(NetnsTestBed bed, String ns, String iface, String ip, String mac) throws Exception {
        String neigh = bed.execIn(ns, "ip", "neigh", "show", ip, "dev", iface);
        assertTrue(neigh.contains("lladdr " + mac), ns + ": " + neigh);
    }
}
