package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.Root;
import io.tux.xdp.testbed.NetnsRequirement;
import io.tux.xdp.testbed.NetnsTestBed;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * As root: round trip of a 64-byte message between two Tux connections (engine, network thread and AF_XDP link
 * on each side) in two network namespaces over veth; the network threads keep polling (budget 10 s) and the
 * application threads wait for their reply spinning (yielding the core) or parked until the listener wakes them
 * ({@code -Dtux.rtt.wait=spin|park}). Prints the figures; asserts only that every reply was exact (the child
 * checks each one's sequence number).
 * Opt-in: {@code -Dtux.test.argLine="--enable-native-access=ALL-UNNAMED"}; add
 * {@code -Dio.tux.xdp.mode=generic} for generic XDP, {@code -Dtux.rtt.budget=NANOS} for another poll budget.
 */
class EngineRoundTripMeasurement {

    @Test
    void engineRoundTripOf64ByteMessagesBetweenNamespaces() throws Exception {
        NetnsRequirement.require();
        Root.require();
        int count = Integer.getInteger("tux.rtt.count", 20_000);
        String wait = System.getProperty("tux.rtt.wait", "spin");
        String budget = Long.toString(Long.getLong("tux.rtt.budget", TimeUnit.SECONDS.toNanos(10)));
        String mode = System.getProperty("io.tux.xdp.mode", "auto");
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            List<String> jvm = List.of("-Xmx256m", "-Dio.tux.xdp.mode=" + mode, "-Dtux.rtt.wait=" + wait);
            try (ChildJvm pong = ChildJvm.startTuned(bed.nsB(), jvm, StackPeer.class, "pong", b, "5001", a, "5000",
                            "0", budget);
                    ChildJvm ping = ChildJvm.startTuned(bed.nsA(), jvm, StackPeer.class, "ping", a, "5000", b, "5001",
                            Integer.toString(count), budget)) {
                String xdp = ping.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH");
                assertTrue(xdp.startsWith("ESTABLISHED"), xdp);
                assertTrue(pong.awaitAnyLine(120, "ESTABLISHED", "UNAVAILABLE", "CRASH").startsWith("ESTABLISHED"));
                ping.tell("go");
                String rtt = ping.awaitAnyLine(300, "RTT", "CRASH");
                System.out.println("engine round trip over AF_XDP (" + xdp + ", poll budget " + budget + " ns): " + rtt);
                assertTrue(rtt.startsWith("RTT n="), rtt);
                String pongDone = pong.awaitAnyLine(60, "DONE", "CRASH");
                String pingDone = ping.awaitAnyLine(60, "DONE", "CRASH");
                System.out.println("pong: " + pongDone + "\nping: " + pingDone);
                assertTrue(pongDone.startsWith("DONE CLOSED "), pongDone);
                assertTrue(pingDone.startsWith("DONE CLOSED "), pingDone);
                assertEquals(0, ping.awaitExit(60));
                assertEquals(0, pong.awaitExit(60));
            }
        }
    }

    /** The engine driven by the application thread on each side: two busy threads in all, like the raw link. */
    @Test
    void engineRoundTripWithOneBusyThreadPerSide() throws Exception {
        NetnsRequirement.require();
        Root.require();
        String count = Integer.toString(Integer.getInteger("tux.rtt.count", 20_000));
        String mode = System.getProperty("io.tux.xdp.mode", "auto");
        try (NetnsTestBed bed = NetnsTestBed.create()) {
            String a = bed.addressA().getHostAddress();
            String b = bed.addressB().getHostAddress();
            List<String> jvm = List.of("-Xmx256m", "-Dio.tux.xdp.mode=" + mode);
            try (ChildJvm pong = ChildJvm.startTuned(bed.nsB(), jvm, EngineDirectPeer.class, "pong", bed.ifaceB(), b,
                            "5001", a, "5000", count);
                    ChildJvm ping = ChildJvm.startTuned(bed.nsA(), jvm, EngineDirectPeer.class, "ping", bed.ifaceA(), a,
                            "5000", b, "5001", count)) {
                String xdp = ping.awaitAnyLine(120, "ESTABLISHED", "CRASH");
                assertTrue(xdp.startsWith("ESTABLISHED"), xdp);
                assertTrue(pong.awaitAnyLine(120, "ESTABLISHED", "CRASH").startsWith("ESTABLISHED"));
                ping.tell("go");
                String rtt = ping.awaitAnyLine(300, "RTT", "CRASH");
                System.out.println("engine round trip over AF_XDP, one busy thread per side (" + xdp + "): " + rtt);
                assertTrue(rtt.startsWith("RTT n="), rtt);
                String pongDone = pong.awaitAnyLine(60, "DONE", "CRASH");
                String pingDone = ping.awaitAnyLine(60, "DONE", "CRASH");
                System.out.println("pong: " + pongDone + "\nping: " + pingDone);
                assertTrue(pongDone.startsWith("DONE CLOSED "), pongDone);
                assertTrue(pingDone.startsWith("DONE CLOSED "), pingDone);
            }
        }
    }
}
