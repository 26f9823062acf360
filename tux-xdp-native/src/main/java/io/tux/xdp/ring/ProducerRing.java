package io.tux.xdp.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The side of an AF_XDP ring that fills entries: user space on the fill and TX rings (the kernel is then
 * the consumer), or a simulated kernel on the RX and completion rings in tests.
 *
 * <p>Memory ordering, as the kernel's rings require (see the kernel's xsk_queue.h):
 * <ul>
 *   <li>the consumer index belongs to the other side; we read it with a load-acquire, so that once we see
 *       an entry as consumed, the other side's reads of that entry happened before we overwrite it;</li>
 *   <li>our producer index is written with a store-release after the entries, so that the other side,
 *       which load-acquires it, sees the entries' contents.</li>
 * </ul>
 *
 * <p>Threading: one producer thread only (the network thread owning the socket); the cached indices are
 * plain fields read and written by that thread alone.
 */
public final class ProducerRing {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();
    private static final int NEED_WAKEUP = 1;

    private final MemorySegment ring;
    private final RingLayout layout;
    private final int mask;
    /** Our producer index (written only by the owner thread; published with store-release in submit). */
    private int producer;
    /** Last consumer index seen (owner thread only; refreshed with load-acquire). */
    private int consumer;

    public ProducerRing(MemorySegment ring, RingLayout layout) {
        if (ring.byteSize() < layout.mappedBytes()) {
            throw new IllegalArgumentException("ring memory too small");
        }
        this.ring = ring;
        this.layout = layout;
        this.mask = layout.size() - 1;
        this.producer = (int) INT.getAcquire(ring, layout.producer());
        this.consumer = (int) INT.getAcquire(ring, layout.consumer());
    }

    public int size() {
        return layout.size();
    }

    /**
     * How many entries (at most {@code wanted}) can be written now. Only when the cached view shows fewer
     * than {@code wanted} is the other side's consumer index load-acquired again.
     */
    public int free(int wanted) {
        int free = layout.size() - (producer - consumer);
        if (free < wanted) {
            consumer = (int) INT.getAcquire(ring, layout.consumer());
            free = layout.size() - (producer - consumer);
        }
        return Math.min(free, wanted);
    }

    /** Writes the frame address of entry {@code i} after the last submitted one (fill/completion rings). */
    public void putAddr(int i, long addr) {
        ring.set(ValueLayout.JAVA_LONG_UNALIGNED, entry(i), addr);
    }

    /** Writes descriptor {@code i} after the last submitted one (TX/RX rings). */
    public void putDesc(int i, long addr, int len) {
        long at = entry(i);
        ring.set(ValueLayout.JAVA_LONG_UNALIGNED, at, addr);
        ring.set(ValueLayout.JAVA_INT_UNALIGNED, at + 8, len);
        ring.set(ValueLayout.JAVA_INT_UNALIGNED, at + 12, 0);
    }

    private long entry(int i) {
        return layout.desc() + (long) ((producer + i) & mask) * layout.entrySize();
    }

    /** Publishes {@code n} written entries: store-release of the producer index. */
    public void submit(int n) {
        producer += n;
        INT.setRelease(ring, layout.producer(), producer);
    }

    /** Entries submitted that the other side has not consumed yet (refreshes the consumer index). */
    public int pending() {
        consumer = (int) INT.getAcquire(ring, layout.consumer());
        return producer - consumer;
    }

    /**
     * True when the kernel asked to be woken (XDP_RING_NEED_WAKEUP) to process this ring. The full fence
     * orders our preceding producer store before the flag load (store-load), matching the kernel, which sets
     * the flag and then re-checks the ring; so a wakeup cannot be lost between the two.
     */
    public boolean needsWakeup() {
        VarHandle.fullFence();
        return ((int) INT.getAcquire(ring, layout.flags()) & NEED_WAKEUP) != 0;
    }

    /** Our producer index (for tests and accounting). */
    public int producerIndex() {
        return producer;
    }
}
