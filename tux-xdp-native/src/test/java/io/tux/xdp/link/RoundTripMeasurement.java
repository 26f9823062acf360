package io.tux.xdp.link;

import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * As root: round trip of one 64-byte Tux packet between two AF_XDP links on the two ends of a veth pair, both
 * sides busy-polling on their own thread. Prints the figures; asserts only that every reply came back intact
 * (tests never assert timings). Opt-in, since two spinning threads hog this machine's two shared cores:
 * {@code bin/test -pl tux-xdp-native -Dtest=RoundTripMeasurement -Dtux.test.argLine="..."},
 * adding {@code -Dio.tux.xdp.mode=generic} for the generic-XDP figure.
 */
class RoundTripMeasurement {

    private static final int WARMUP = 10_000;
    private static final int MEASURED = 20_000;

    @Test
    void busyPollingRoundTripOf64BytePackets() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                InetSocketAddress a = new InetSocketAddress("10.77.202.1", 7001);
                InetSocketAddress b = new InetSocketAddress("10.77.202.2", 7002);
                int ra = la.openRoute(a, b);
                int rb = lb.openRoute(b, a);
                AtomicBoolean stop = new AtomicBoolean();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                // Echo side: busy-polls B and sends every packet straight back.
                Thread echo = Thread.ofPlatform().name("echo").start(() -> {
                    while (!stop.get() && System.nanoTime() < deadline) {
                        if (lb.poll((r, seg, off, len) -> {
                            while (!lb.send(rb, seg, off, len) && System.nanoTime() < deadline) {
                                lb.flush();
                            }
                        }, 64) > 0) {
                            lb.flush();
                        }
                    }
                });
                int total = WARMUP + MEASURED;
                long[] rtt = new long[MEASURED];
                MemorySegment out = MemorySegment.ofArray(new byte[64]);
                byte[] got = new byte[64];
                int[] gotLen = {0};
                int[] received = {0};
                try {
                    for (int i = 0; i < total; i++) {
                        byte[] p = Packets.packet(6, i, 64);
                        MemorySegment.copy(p, 0, out, ValueLayout.JAVA_BYTE, 0, 64);
                        long t0 = System.nanoTime();
                        assertEquals(true, la.send(ra, out, 0, 64));
                        la.flush();
                        int before = received[0];
                        while (received[0] == before && System.nanoTime() < deadline) {
                            la.poll((r, seg, off, len) -> {
                                MemorySegment.copy(seg, ValueLayout.JAVA_BYTE, off, got, 0, Math.min(len, 64));
                                gotLen[0] = len;
                                received[0]++;
                            }, 64);
                        }
                        long t1 = System.nanoTime();
                        assertEquals(before + 1, received[0], "reply " + i + " arrived");
                        assertEquals(64, gotLen[0]);
                        assertEquals(true, Arrays.equals(p, got), "reply " + i + " intact");
                        if (i >= WARMUP) {
                            rtt[i - WARMUP] = t1 - t0;
                        }
                        la.flush(); // reap completions off the critical path
                    }
                } finally {
                    stop.set(true);
                    echo.join(TimeUnit.SECONDS.toMillis(30));
                }
                assertFalse(echo.isAlive());
                Arrays.sort(rtt);
                XdpProgram.Mode mode = la.socket().mode();
                System.out.printf("AF_XDP round trip, 64-byte Tux packet, veth %s XDP, Java busy-polling both sides: "
                                + "median %.2f us, p10 %.2f us, p90 %.2f us, p99 %.2f us (%d round trips; tx kicks %d, rx kicks %d)%n",
                        mode, rtt[MEASURED / 2] / 1e3, rtt[MEASURED / 10] / 1e3, rtt[MEASURED * 9 / 10] / 1e3,
                        rtt[MEASURED * 99 / 100] / 1e3, MEASURED, la.socket().txKicks(), la.socket().rxKicks());
            }
        }
    }
}
