package io.tux.xdp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Frame accounting: every frame in exactly one place through fill/RX/TX/completion traffic. */
class UmemFramesTest {

    @Test
    void takeMoveAndFreeKeepCounts() {
        UmemFrames f = new UmemFrames(8, 4096);
        long a = f.take(UmemFrames.FILL);
        long b = f.take(UmemFrames.TX);
        assertEquals(0, a);
        assertEquals(4096, b);
        assertEquals(6, f.count(UmemFrames.FREE));
        assertTrue(f.move(a + 256, UmemFrames.FILL, UmemFrames.RX), "RX address inside the frame");
        assertEquals(UmemFrames.RX, f.placeOf(a));
        assertFalse(f.move(a, UmemFrames.FILL, UmemFrames.RX), "not in FILL any more");
        assertFalse(f.free(b, UmemFrames.RX), "b is in TX");
        assertFalse(f.move(8 * 4096, UmemFrames.FILL, UmemFrames.RX), "outside the UMEM");
        assertEquals(3, f.violations());
        assertTrue(f.free(b, UmemFrames.TX));
        assertTrue(f.free(a, UmemFrames.RX));
        assertEquals(8, f.count(UmemFrames.FREE));
        assertNull(f.checkInvariant());
        for (int i = 0; i < 8; i++) {
            assertTrue(f.take(UmemFrames.TX) >= 0);
        }
        assertEquals(-1, f.take(UmemFrames.TX));
        assertNull(f.checkInvariant());
    }

    /**
     * Drives a fill, RX, TX and completion ring over ordinary memory with a simulated kernel that takes fill
     * frames for received packets and returns sent frames in random batches; afterwards every frame is
     * accounted for and back where it should be.
     */
    @Test
    void invariantHoldsAfterSimulatedTraffic() {
        int frames = 64;
        int ring = 32;
        Random random = new Random(42);
        try (Arena arena = Arena.ofConfined()) {
            RingLayout addr = RingLayout.plain(ring, RingLayout.ADDR_SIZE);
            RingLayout desc = RingLayout.plain(ring, RingLayout.DESC_SIZE);
            MemorySegment fillMem = arena.allocate(addr.mappedBytes(), 64);
            MemorySegment compMem = arena.allocate(addr.mappedBytes(), 64);
            MemorySegment rxMem = arena.allocate(desc.mappedBytes(), 64);
            MemorySegment txMem = arena.allocate(desc.mappedBytes(), 64);
            ProducerRing fill = new ProducerRing(fillMem, addr);
            ConsumerRing kFill = new ConsumerRing(fillMem, addr);
            ConsumerRing comp = new ConsumerRing(compMem, addr);
            ProducerRing kComp = new ProducerRing(compMem, addr);
            ConsumerRing rx = new ConsumerRing(rxMem, desc);
            ProducerRing kRx = new ProducerRing(rxMem, desc);
            ProducerRing tx = new ProducerRing(txMem, desc);
            ConsumerRing kTx = new ConsumerRing(txMem, desc);
            UmemFrames f = new UmemFrames(frames, 2048);

            int fillFrames = 24;
            for (int i = 0; i < fillFrames; i++) {
                fill.putAddr(i, f.take(UmemFrames.FILL));
            }
            fill.submit(fillFrames);
            long received = 0;
            long sent = 0;
            for (int step = 0; step < 20_000; step++) {
                // Kernel: receive up to k packets into fill frames.
                int k = kFill.available(random.nextInt(5));
                k = Math.min(k, kRx.free(k));
                for (int i = 0; i < k; i++) {
                    kRx.putDesc(i, kFill.addr(i) + 256, 60 + i);
                }
                kFill.release(k);
                kRx.submit(k);
                // Kernel: send up to j packets, completing them.
                int j = kTx.available(random.nextInt(5));
                j = Math.min(j, kComp.free(j));
                for (int i = 0; i < j; i++) {
                    kComp.putAddr(i, kTx.addr(i));
                }
                kTx.release(j);
                kComp.submit(j);
                // User: take RX, recycle to fill.
                int n = rx.available(8);
                for (int i = 0; i < n; i++) {
                    assertTrue(f.move(rx.addr(i), UmemFrames.FILL, UmemFrames.RX));
                }
                int room = fill.free(n);
                assertEquals(n, room, "fill ring always has room for recycled frames");
                for (int i = 0; i < n; i++) {
                    long frame = f.frameOf(rx.addr(i));
                    assertTrue(f.move(frame, UmemFrames.RX, UmemFrames.FILL));
                    fill.putAddr(i, frame);
                }
                fill.submit(n);
                rx.release(n);
                received += n;
                // User: send a few, reap completions.
                int want = random.nextInt(4);
                for (int i = 0; i < want && tx.free(1) == 1; i++) {
                    long frame = f.take(UmemFrames.TX);
                    if (frame < 0) {
                        break;
                    }
                    tx.putDesc(0, frame, 100);
                    tx.submit(1);
                    sent++;
                }
                int c = comp.available(ring);
                for (int i = 0; i < c; i++) {
                    assertTrue(f.free(comp.addr(i), UmemFrames.TX));
                }
                comp.release(c);
                assertNull(f.checkInvariant(), "step " + step);
            }
            // Drain the kernel's TX side (available() refreshes only when its cached view is empty: loop).
            for (int j; (j = kTx.available(ring)) > 0; ) {
                for (int i = 0; i < j; i++) {
                    kComp.putAddr(i, kTx.addr(i));
                }
                kTx.release(j);
                kComp.submit(j);
            }
            for (int c; (c = comp.available(ring)) > 0; ) {
                for (int i = 0; i < c; i++) {
                    assertTrue(f.free(comp.addr(i), UmemFrames.TX));
                }
                comp.release(c);
            }
            assertTrue(received > 1000 && sent > 1000, received + " received, " + sent + " sent");
            assertEquals(0, f.violations());
            assertEquals(fillFrames, f.count(UmemFrames.FILL));
            assertEquals(0, f.count(UmemFrames.RX));
            assertEquals(0, f.count(UmemFrames.TX));
            assertEquals(frames - fillFrames, f.count(UmemFrames.FREE));
            assertNull(f.checkInvariant());
        }
    }
}
