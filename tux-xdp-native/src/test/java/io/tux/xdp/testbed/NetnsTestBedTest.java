package io.tux.xdp.testbed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Root-only: a real bed, TCP between its namespaces, counters, netem, and clean-up. */
class NetnsTestBedTest {

    @BeforeEach
    void requireRoot() {
        NetnsRequirement.require();
    }

    @Test
    void tcpEchoBetweenNamespacesMovesExactBytesAndCounters() throws Exception {
        String nsA;
        String nsB;
        Process server;
        Process client;
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            nsA = bed.nsA();
            nsB = bed.nsB();
            assertTrue(NetnsTestBed.namespaces().containsAll(List.of(nsA, nsB)));
            assertEquals("10.77." + bed.subnet() + ".1", bed.addressA().getHostAddress());
            assertEquals("10.77." + bed.subnet() + ".2", bed.addressB().getHostAddress());
            // Each namespace sees exactly lo and its veth end, with its address.
            String linksA = bed.execIn(nsA, "ip", "-o", "link", "show");
            assertEquals(2, linksA.lines().count(), linksA);
            assertTrue(bed.execIn(nsA, "ip", "-o", "-4", "addr", "show", "dev", "vA")
                    .contains("inet " + bed.addressA().getHostAddress() + "/24"));
            assertTrue(bed.execIn(nsB, "ip", "-o", "-4", "addr", "show", "dev", "vB")
                    .contains("inet " + bed.addressB().getHostAddress() + "/24"));

            Map<String, Long> a0 = bed.snmp(nsA);
            Map<String, Long> b0 = bed.snmp(nsB);

            String message = "hello from " + nsA + " to " + nsB + "\n";
            int length = message.getBytes(StandardCharsets.US_ASCII).length;
            server = bed.start(bed.javaInB(EchoServer.class.getName(),
                    List.of(bed.addressB().getHostAddress(), "0", Integer.toString(length)))
                    .redirectError(ProcessBuilder.Redirect.INHERIT));
            String listening = NetnsTestBed.awaitLine(server, "LISTENING ", Duration.ofSeconds(30));
            String port = listening.substring("LISTENING ".length()).trim();

            client = bed.startInA(List.of("bash", "-c", "exec 3<>/dev/tcp/$0/$1 && printf %s \"$2\" >&3 && cat <&3",
                    bed.addressB().getHostAddress(), port, message));
            assertTrue(client.waitFor(20, TimeUnit.SECONDS), "client finished");
            byte[] echoed = client.getInputStream().readAllBytes();
            String clientErrors = new String(client.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, client.exitValue(), clientErrors);
            assertArrayEquals(message.getBytes(StandardCharsets.US_ASCII), echoed);
            assertTrue(server.waitFor(20, TimeUnit.SECONDS), "server finished");
            assertEquals(0, server.exitValue());

            Map<String, Long> a1 = bed.snmp(nsA);
            Map<String, Long> b1 = bed.snmp(nsB);
            assertEquals(a0.get("Tcp.ActiveOpens") + 1, a1.get("Tcp.ActiveOpens"));
            assertEquals(b0.get("Tcp.PassiveOpens") + 1, b1.get("Tcp.PassiveOpens"));
            assertEquals(a0.get("Tcp.PassiveOpens"), a1.get("Tcp.PassiveOpens"));
            assertTrue(a1.get("Tcp.OutSegs") - a0.get("Tcp.OutSegs") >= 3, a0 + " -> " + a1);
            assertTrue(a1.get("Tcp.InSegs") - a0.get("Tcp.InSegs") >= 2, a0 + " -> " + a1);
            assertTrue(b1.get("Tcp.InSegs") - b0.get("Tcp.InSegs") >= 3, b0 + " -> " + b1);
            // The last ACK of the close may still be in flight: the counters can only have grown since.
            long inA = bed.tcpInSegs(nsA);
            long outB = bed.tcpOutSegs(nsB);
            assertTrue(inA >= a1.get("Tcp.InSegs") && inA <= a1.get("Tcp.InSegs") + 2, inA + " vs " + a1);
            assertTrue(outB >= b1.get("Tcp.OutSegs") && outB <= b1.get("Tcp.OutSegs") + 2, outB + " vs " + b1);
        }
        List<String> after = NetnsTestBed.namespaces();
        assertFalse(after.contains(nsA), after.toString());
        assertFalse(after.contains(nsB), after.toString());
    }

    @Test
    void closeKillsStartedProcessesAndRemovesNamespaces() throws Exception {
        NetnsTestBed bed = NetnsTestBed.create();
        Process sleeper;
        Process child;
        try {
            sleeper = bed.startInA(List.of("sleep", "600"));
            // A shell with a child of its own: close() must take the grandchild too.
            Process shell = bed.startInB(List.of("bash", "-c", "sleep 600 & echo CHILD $!; wait"));
            String line = NetnsTestBed.awaitLine(shell, "CHILD ", Duration.ofSeconds(20));
            long childPid = Long.parseLong(line.substring(6).trim());
            child = shell;
            assertTrue(ProcessHandle.of(childPid).isPresent());
            bed.close();
            assertFalse(sleeper.isAlive());
            assertFalse(child.isAlive());
            assertTrue(ProcessHandle.of(childPid).map(h -> !h.isAlive()).orElse(true), "grandchild killed");
        } finally {
            bed.close();
        }
        bed.close(); // idempotent
        List<String> after = NetnsTestBed.namespaces();
        assertFalse(after.contains(bed.nsA()), after.toString());
        assertFalse(after.contains(bed.nsB()), after.toString());
        assertThrows(IllegalStateException.class, () -> bed.startInA(List.of("true")));
    }

    @Test
    void concurrentBedsGetDistinctNamesAndSubnets() throws Exception {
        try (NetnsTestBed one = NetnsTestBed.create(); NetnsTestBed two = NetnsTestBed.create()) {
            assertNotEquals(one.nsA(), two.nsA());
            assertNotEquals(one.subnet(), two.subnet());
            assertTrue(one.nsA().startsWith("tux") && one.nsA().endsWith("a"));
            assertEquals(one.nsA().substring(0, one.nsA().length() - 1),
                    one.nsB().substring(0, one.nsB().length() - 1));
        }
    }

    @Test
    void execInFailsWithTheOutputAndIsBounded() throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            assertEquals("inside\n", bed.execIn(bed.nsA(), "echo", "inside"));
            IOException failed = assertThrows(IOException.class,
                    () -> bed.execIn(bed.nsA(), "bash", "-c", "echo broken; exit 3"));
            assertTrue(failed.getMessage().contains("exit 3") && failed.getMessage().contains("broken"),
                    failed.getMessage());
            IOException timedOut = assertThrows(IOException.class,
                    () -> bed.execIn(bed.nsB(), Duration.ofMillis(300), "sleep", "30"));
            assertTrue(timedOut.getMessage().startsWith("timed out"), timedOut.getMessage());
            assertThrows(IllegalArgumentException.class, () -> bed.execIn("not-a-bed-namespace", "true"));
            bed.setMtu(9000);
            assertTrue(bed.execIn(bed.nsA(), "ip", "-o", "link", "show", "dev", "vA").contains(" mtu 9000 "));
            assertTrue(bed.execIn(bed.nsB(), "ip", "-o", "link", "show", "dev", "vB").contains(" mtu 9000 "));
        }
    }

    @Test
    void netemIsInstalledOnTheVethEndAndRemoved() throws Exception {
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            assertThrows(IllegalArgumentException.class, () -> bed.netem(bed.nsA(), 0, Duration.ZERO, 5));
            if (!kernelHasNetem()) {
                IOException e = assertThrows(IOException.class,
                        () -> bed.netem(bed.nsA(), 25, Duration.ofMillis(5), 10));
                assertTrue(e.getMessage().contains("CONFIG_NET_SCH_NETEM"), e.getMessage());
                bed.clearNetem(bed.nsA()); // nothing to remove: a no-op
                return;
            }
            bed.netem(bed.nsA(), 25, Duration.ofMillis(5), 10);
            String qdisc = bed.execIn(bed.nsA(), "tc", "qdisc", "show", "dev", "vA");
            assertTrue(qdisc.contains("netem") && qdisc.contains("loss 25%") && qdisc.contains("delay 5ms")
                    && qdisc.contains("reorder 10%"), qdisc);
            assertFalse(bed.execIn(bed.nsB(), "tc", "qdisc", "show", "dev", "vB").contains("netem"));
            bed.clearNetem(bed.nsA());
            assertFalse(bed.execIn(bed.nsA(), "tc", "qdisc", "show", "dev", "vA").contains("netem"));
            bed.clearNetem(bed.nsA());
        }
    }

    /** From the kernel's own configuration, independently of the bed's code; true if it cannot tell. */
    private static boolean kernelHasNetem() throws IOException {
        if (java.nio.file.Files.isDirectory(java.nio.file.Path.of("/sys/module/sch_netem"))) {
            return true;
        }
        java.nio.file.Path config = java.nio.file.Path.of("/proc/config.gz");
        if (!java.nio.file.Files.exists(config)) {
            return true;
        }
        try (var in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(config))) {
            String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            return text.contains("CONFIG_NET_SCH_NETEM=y") || text.contains("CONFIG_NET_SCH_NETEM=m");
        }
    }
}
