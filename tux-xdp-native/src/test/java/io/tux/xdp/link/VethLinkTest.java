package io.tux.xdp.link;

import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
import io.tux.xdp.xsk.XdpSocket;
import io.tux.xdp.xsk.XdpUnavailableException;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * As root: two links, one on each end of a veth pair the test creates (both ends in the root namespace, no
 * kernel addresses), exchange Tux packets through native XDP and AF_XDP; a second socket on a taken queue
 * gets QUEUE_BUSY; closing the last socket detaches the program.
 */
class VethLinkTest {

    @Test
    void twoLinksExchangeTuxPacketsOverVeth() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            byte[] macA = v.mac(v.a());
            byte[] macB = v.mac(v.b());
            int ifA;
            int ifB;
            try (AfXdpLink la = AfXdpLink.open(v.a(), 0, XdpSocket.Config.DEFAULT, (i, ip) -> macB);
                    AfXdpLink lb = AfXdpLink.open(v.b(), 0, XdpSocket.Config.DEFAULT, (i, ip) -> macA)) {
                ifA = la.socket().ifindex();
                ifB = lb.socket().ifindex();
                assertEquals(XdpProgram.Mode.NATIVE, la.socket().mode(), "veth has driver XDP");
                assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(ifA));
                assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(ifB));
                assertEquals(1472, la.mtu());
                InetSocketAddress a = new InetSocketAddress("10.77.200.1", 7001);
                InetSocketAddress b = new InetSocketAddress("10.77.200.2", 7002);
                int ra = la.openRoute(a, b);
                int rb = lb.openRoute(b, a);
                Packets.exchange(la, ra, lb, rb, 3, 5000, la.mtu());
                Packets.exchange(lb, rb, la, ra, 4, 5000, la.mtu());
                Packets.assertAllFramesAccounted(la);
                Packets.assertAllFramesAccounted(lb);

                XdpUnavailableException busy = assertThrows(XdpUnavailableException.class,
                        () -> AfXdpLink.open(v.a(), 0));
                assertEquals(XdpUnavailableException.Reason.QUEUE_BUSY, busy.reason(), busy.getMessage());
                XdpUnavailableException noQueue = assertThrows(XdpUnavailableException.class,
                        () -> AfXdpLink.open(v.a(), 5));
                assertEquals(XdpUnavailableException.Reason.NO_QUEUE, noQueue.reason(), noQueue.getMessage());
                XdpUnavailableException noIf = assertThrows(XdpUnavailableException.class,
                        () -> AfXdpLink.open("tuxnosuchif0", 0));
                assertEquals(XdpUnavailableException.Reason.NO_INTERFACE, noIf.reason(), noIf.getMessage());
                // The failed opens left the working links alone.
                Packets.exchange(la, ra, lb, rb, 5, 100, 64);
            }
            assertNull(XdpProgram.attachedProgramName(ifA), "detached after the last socket closed");
            assertNull(XdpProgram.attachedProgramName(ifB), "detached after the last socket closed");
        }
    }

    /** Sink that only sums what it sees: allocates nothing. */
    private static final class CountingSink implements io.tux.core.link.PacketSink {
        long packets;
        long bytes;

        @Override
        public void onPacket(int route, java.lang.foreign.MemorySegment segment, long offset, int length) {
            packets++;
            bytes += segment.get(java.lang.foreign.ValueLayout.JAVA_BYTE, offset + length - 1) & 0xff;
        }
    }

    /**
     * After warm-up (enough for C2 to compile the FFM downcalls, which allocate while interpreted), sending,
     * flushing and polling allocate nothing per packet on the network thread.
     */
    @Test
    void hotPathAllocatesNothingPerPacket() throws Exception {
        Root.require();
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        try (Net.Veth v = Net.Veth.rootPair()) {
            byte[] macA = v.mac(v.a());
            byte[] macB = v.mac(v.b());
            try (AfXdpLink la = AfXdpLink.open(v.a(), 0, XdpSocket.Config.DEFAULT, (i, ip) -> macB);
                    AfXdpLink lb = AfXdpLink.open(v.b(), 0, XdpSocket.Config.DEFAULT, (i, ip) -> macA)) {
                int ra = la.openRoute(new InetSocketAddress("10.77.203.1", 7001), new InetSocketAddress("10.77.203.2", 7002));
                lb.openRoute(new InetSocketAddress("10.77.203.2", 7002), new InetSocketAddress("10.77.203.1", 7001));
                java.lang.foreign.MemorySegment packet = java.lang.foreign.MemorySegment.ofArray(Packets.packet(1, 1, 64));
                CountingSink sink = new CountingSink();
                long tid = Thread.currentThread().threadId();
                long measuredFrom = 0;
                long before = 0;
                int rounds = 200_000;
                int warmup = 150_000;
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
                for (int i = 0; i < rounds && System.nanoTime() < deadline; i++) {
                    if (i == warmup) {
                        measuredFrom = sink.packets;
                        before = threads.getThreadAllocatedBytes(tid);
                    }
                    long want = sink.packets + 1;
                    while (!la.send(ra, packet, 0, 64)) {
                        la.flush();
                    }
                    la.flush();
                    while (sink.packets < want && System.nanoTime() < deadline) {
                        lb.poll(sink, 64);
                    }
                }
                long allocated = threads.getThreadAllocatedBytes(tid) - before;
                long measured = sink.packets - measuredFrom;
                assertEquals(rounds - warmup, measured, "every measured packet arrived");
                // Well under one byte per packet: nothing is allocated per packet (a few stray objects from
                // the JIT or the runtime are tolerated).
                org.junit.jupiter.api.Assertions.assertTrue(allocated < measured,
                        allocated + " bytes allocated for " + measured + " packets");
            }
        }
    }
}
