package io.tux.xdp.ring;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ring index arithmetic over ordinary memory: one side as user space, the other as a simulated kernel. */
class RingTest {

    private static MemorySegment ringMemory(Arena arena, RingLayout layout, int startIndex) {
        MemorySegment m = arena.allocate(layout.mappedBytes(), 64);
        m.set(ValueLayout.JAVA_INT, layout.producer(), startIndex);
        m.set(ValueLayout.JAVA_INT, layout.consumer(), startIndex);
        return m;
    }

    @Test
    void freeAndAvailableCountsFollowTheIndices() {
        try (Arena arena = Arena.ofConfined()) {
            RingLayout layout = RingLayout.plain(8, RingLayout.ADDR_SIZE);
            MemorySegment m = ringMemory(arena, layout, 0);
            ProducerRing user = new ProducerRing(m, layout);
            ConsumerRing kernel = new ConsumerRing(m, layout);
            assertEquals(8, user.free(100));
            assertEquals(0, kernel.available(100));
            for (int i = 0; i < 5; i++) {
                user.putAddr(i, 4096L * i);
            }
            assertEquals(0, kernel.available(100), "nothing visible before submit");
            user.submit(5);
            assertEquals(5, m.get(ValueLayout.JAVA_INT, layout.producer()));
            assertEquals(3, user.free(100));
            assertEquals(5, kernel.available(100));
            assertEquals(2, kernel.available(2));
            assertEquals(0L, kernel.addr(0));
            assertEquals(4096L * 4, kernel.addr(4));
            kernel.release(3);
            assertEquals(3, m.get(ValueLayout.JAVA_INT, layout.consumer()));
            assertEquals(3, user.free(3), "cached view suffices");
            assertEquals(6, user.free(8), "refreshed consumer index");
            assertEquals(2, user.pending());
            assertEquals(2, kernel.available(100));
            assertEquals(4096L * 3, kernel.addr(0));
        }
    }

    @Test
    void indicesWrapAroundTwoToTheThirtyTwo() {
        try (Arena arena = Arena.ofConfined()) {
            RingLayout layout = RingLayout.plain(4, RingLayout.DESC_SIZE);
            int start = 0xFFFF_FFFE; // two steps before the u32 wrap
            MemorySegment m = ringMemory(arena, layout, start);
            ProducerRing user = new ProducerRing(m, layout);
            ConsumerRing kernel = new ConsumerRing(m, layout);
            for (int round = 0; round < 10; round++) {
                assertEquals(4, user.free(4));
                for (int i = 0; i < 4; i++) {
                    user.putDesc(i, 1000L * round + i, 60 + i);
                }
                user.submit(4);
                assertEquals(0, user.free(1));
                assertEquals(4, kernel.available(8));
                for (int i = 0; i < 4; i++) {
                    assertEquals(1000L * round + i, kernel.addr(i));
                    assertEquals(60 + i, kernel.len(i));
                }
                kernel.release(4);
            }
            assertEquals(start + 40, user.producerIndex());
            assertEquals(start + 40, kernel.consumerIndex());
            assertEquals(38, m.get(ValueLayout.JAVA_INT, layout.producer()), "wrapped u32 index");
            // Slot of the wrapped index 0xFFFFFFFE is 2: the first entry went to desc slot 2.
        }
    }

    @Test
    void needsWakeupReadsTheFlagsWord() {
        try (Arena arena = Arena.ofConfined()) {
            RingLayout layout = RingLayout.plain(4, RingLayout.DESC_SIZE);
            MemorySegment m = ringMemory(arena, layout, 0);
            ProducerRing tx = new ProducerRing(m, layout);
            assertFalse(tx.needsWakeup());
            m.set(ValueLayout.JAVA_INT, layout.flags(), 1);
            assertTrue(tx.needsWakeup());
        }
    }

    /** One producer and one consumer thread pass 2 million sequence numbers through an 8-entry ring. */
    @Test
    void concurrentProducerAndConsumerSeeEveryEntryInOrder() throws Exception {
        int total = 2_000_000;
        try (Arena arena = Arena.ofShared()) {
            RingLayout layout = RingLayout.plain(8, RingLayout.DESC_SIZE);
            MemorySegment m = ringMemory(arena, layout, -3);
            ProducerRing producer = new ProducerRing(m, layout);
            ConsumerRing consumer = new ConsumerRing(m, layout);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long[] mismatch = {-1};
            Thread t = Thread.ofPlatform().start(() -> {
                long expected = 0;
                while (expected < total && System.nanoTime() < deadline) {
                    int n = consumer.available(8);
                    for (int i = 0; i < n; i++) {
                        if (consumer.addr(i) != expected || consumer.len(i) != (int) (expected * 7)) {
                            mismatch[0] = expected;
                            return;
                        }
                        expected++;
                    }
                    consumer.release(n);
                }
            });
            long next = 0;
            while (next < total && System.nanoTime() < deadline) {
                int n = producer.free(8);
                for (int i = 0; i < n && next + i < total; i++) {
                    producer.putDesc(i, next + i, (int) ((next + i) * 7));
                }
                n = (int) Math.min(n, total - next);
                producer.submit(n);
                next += n;
            }
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertFalse(t.isAlive(), "consumer finished");
            assertEquals(-1, mismatch[0], "first out-of-order or torn entry");
            assertEquals(total, next);
            assertEquals(0, producer.pending());
        }
    }
}
