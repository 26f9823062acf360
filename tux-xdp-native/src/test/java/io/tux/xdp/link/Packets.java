package io.tux.xdp.link;

import io.tux.core.link.Link;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Test traffic: Tux-shaped packets (magic 0x5458, version 1) with a sequence number and a byte pattern. */
final class Packets {

    private Packets() {}

    /** Packet {@code seq} of {@code length} bytes (at least 8): 54 58 01 tag, seq (4, BE), pattern. */
    static byte[] packet(int tag, int seq, int length) {
        byte[] p = new byte[length];
        p[0] = 0x54;
        p[1] = 0x58;
        p[2] = 1;
        p[3] = (byte) tag;
        p[4] = (byte) (seq >>> 24);
        p[5] = (byte) (seq >>> 16);
        p[6] = (byte) (seq >>> 8);
        p[7] = (byte) seq;
        for (int i = 8; i < length; i++) {
            p[i] = (byte) (seq * 31 + i * 7 + tag);
        }
        return p;
    }

    record Received(int route, byte[] bytes) {}

    /**
     * Sends {@code count} packets (lengths cycling from 8 to {@code maxLength}) on {@code route} of
     * {@code from}, and polls {@code to} until as many arrived or 20 s passed; asserts every byte and the
     * route they arrived with. Both links are driven from the calling thread.
     */
    static void exchange(Link from, int route, Link to, int expectedRoute, int tag, int count, int maxLength) {
        exchange(from, route, to, expectedRoute, tag, count, maxLength, Integer.MAX_VALUE);
    }

    /** As above, with at most {@code window} packets in flight (for lossy kernel peers with small buffers). */
    static void exchange(Link from, int route, Link to, int expectedRoute, int tag, int count, int maxLength,
            int window) {
        List<Received> got = new ArrayList<>();
        MemorySegment out = MemorySegment.ofArray(new byte[maxLength]);
        int sent = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.size() < count && System.nanoTime() < deadline) {
            while (sent < count && sent - got.size() < window) {
                byte[] p = packet(tag, sent, length(sent, maxLength));
                MemorySegment.copy(p, 0, out, ValueLayout.JAVA_BYTE, 0, p.length);
                if (!from.send(route, out, 0, p.length)) {
                    break;
                }
                sent++;
            }
            from.flush();
            to.poll((r, seg, off, len) -> got.add(new Received(r, seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE))), 64);
            if (to != from) {
                to.flush();
            }
        }
        assertEquals(count, sent, "packets sent");
        assertEquals(count, got.size(), "packets received");
        for (int i = 0; i < count; i++) {
            assertEquals(expectedRoute, got.get(i).route(), "route of packet " + i);
            assertArrayEquals(packet(tag, i, length(i, maxLength)), got.get(i).bytes(), "bytes of packet " + i);
        }
    }

    private static int length(int seq, int maxLength) {
        return 8 + (seq * 37) % (maxLength - 7);
    }

    /** Flushes until every sent frame came back from the kernel (20 s bound), then checks the accounting. */
    static void assertAllFramesAccounted(AfXdpLink link) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        var frames = link.socket().frames();
        while (frames.count(io.tux.xdp.ring.UmemFrames.TX) > 0 && System.nanoTime() < deadline) {
            link.flush();
        }
        assertEquals(0, frames.violations(), "frames found in the wrong place");
        assertEquals(0, frames.count(io.tux.xdp.ring.UmemFrames.TX), "frames still with the kernel for TX");
        assertEquals(0, frames.count(io.tux.xdp.ring.UmemFrames.RX), "frames still in user hands");
        assertEquals(io.tux.xdp.xsk.XdpSocket.Config.DEFAULT.fillFrames(), frames.count(io.tux.xdp.ring.UmemFrames.FILL));
        assertEquals(frames.frameCount() - io.tux.xdp.xsk.XdpSocket.Config.DEFAULT.fillFrames(),
                frames.count(io.tux.xdp.ring.UmemFrames.FREE));
        assertNull(frames.checkInvariant());
    }
}
