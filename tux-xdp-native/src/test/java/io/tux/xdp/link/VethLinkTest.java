package io.tux.xdp.link;

import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
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
            try (AfXdpLink la = AfXdpLink.open(v.a(), 0, FixedRoutes.options(v.a(), macA, macB).withForcedMode(XdpProgram.Mode.NATIVE));
                    AfXdpLink lb = AfXdpLink.open(v.b(), 0, FixedRoutes.options(v.b(), macB, macA).withForcedMode(XdpProgram.Mode.NATIVE))) {
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

    /**
     * Zero-copy send: a packet written at the offset {@link AfXdpLink#claim} returns, inside the UMEM, goes out
     * from that very frame and arrives byte for byte (lengths 8 to the MTU); with every TX descriptor taken a
     * claim is refused; a claim on a closed route is dropped and counted at commit without using a frame; a
     * claim above the MTU is a caller bug.
     */
    @Test
    void claimedPacketsGoOutFromTheirUmemFrameExactly() throws Exception {
        Root.require();
        try (Net.Veth v = Net.Veth.rootPair()) {
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
                InetSocketAddress a = new InetSocketAddress("10.77.204.1", 7001);
                InetSocketAddress b = new InetSocketAddress("10.77.204.2", 7002);
                int ra = la.openRoute(a, b);
                int rb = lb.openRoute(b, a);
                int[] lengths = {8, 9, 33, 1000, la.mtu() - 1, la.mtu()}; // the XDP program steers only Tux-looking packets
                java.util.List<Packets.Received> got = new java.util.ArrayList<>();
                for (int i = 0; i < lengths.length; i++) {
                    byte[] p = Packets.packet(9, i, Math.max(8, lengths[i]));
                    long at = la.claim(ra, la.mtu());
                    org.junit.jupiter.api.Assertions.assertTrue(at >= 0);
                    assertEquals(la.socket().umem().address(), la.claimed().address(), "the claim is in the UMEM");
                    long frame = la.socket().frames().frameOf(at);
                    assertEquals(io.tux.xdp.ring.UmemFrames.TX, la.socket().frames().placeOf(frame));
                    java.lang.foreign.MemorySegment.copy(p, 0, la.claimed(), java.lang.foreign.ValueLayout.JAVA_BYTE,
                            at, lengths[i]);
                    la.commit(lengths[i]);
                }
                la.flush();
                long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                while (got.size() < lengths.length && System.nanoTime() < deadline) {
                    la.flush();
                    lb.poll((r, seg, off, len) -> got.add(new Packets.Received(r, seg.asSlice(off, len)
                            .toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))), 64);
                }
                assertEquals(lengths.length, got.size(), "packets received");
                for (int i = 0; i < lengths.length; i++) {
                    byte[] want = java.util.Arrays.copyOf(Packets.packet(9, i, Math.max(8, lengths[i])), lengths[i]);
                    assertEquals(rb, got.get(i).route());
                    org.junit.jupiter.api.Assertions.assertArrayEquals(want, got.get(i).bytes(), "packet " + i);
                }
                Packets.assertAllFramesAccounted(la);

                // Without a kick the kernel takes nothing off the TX ring: once every descriptor is claimed and
                // committed, the next claim is refused.
                int ring = io.tux.xdp.xsk.XdpSocket.Config.DEFAULT.ringSize();
                for (int i = 0; i < ring; i++) {
                    long at = la.claim(ra, 64);
                    org.junit.jupiter.api.Assertions.assertTrue(at >= 0, "claim " + i);
                    java.lang.foreign.MemorySegment.copy(Packets.packet(10, i, 64), 0, la.claimed(),
                            java.lang.foreign.ValueLayout.JAVA_BYTE, at, 64);
                    la.commit(64);
                }
                assertEquals(-1, la.claim(ra, 64));
                int received = 0;
                deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
                int[] count = {0};
                while (count[0] < ring && System.nanoTime() < deadline) {
                    la.flush();
                    lb.poll((r, seg, off, len) -> count[0]++, 64);
                }
                assertEquals(ring, count[0], "every claimed packet arrived once the ring was kicked");
                Packets.assertAllFramesAccounted(la);

                // A route closed before the claim: the packet goes nowhere, no frame is used, it is counted.
                la.closeRoute(ra);
                int freeBefore = la.socket().frames().count(io.tux.xdp.ring.UmemFrames.FREE);
                long at = la.claim(ra, 100);
                org.junit.jupiter.api.Assertions.assertTrue(at >= 0);
                la.claimed().asSlice(at, 100).fill((byte) 1);
                la.commit(100);
                assertEquals(1, la.sentToClosedRoute());
                assertEquals(freeBefore, la.socket().frames().count(io.tux.xdp.ring.UmemFrames.FREE));
                assertThrows(IllegalArgumentException.class, () -> la.claim(rb, la.mtu() + 1));
            }
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
            try (AfXdpLink la = FixedRoutes.linkOnA(v); AfXdpLink lb = FixedRoutes.linkOnB(v)) {
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
