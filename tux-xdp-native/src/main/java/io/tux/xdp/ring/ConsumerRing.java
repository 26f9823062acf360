package io.tux.xdp.ring;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The side of an AF_XDP ring that takes entries: user space on the RX and completion rings (the kernel is
 * the producer), or a simulated kernel on the fill and TX rings in tests.
 *
 * <p>Memory ordering, as the kernel's rings require:
 * <ul>
 *   <li>the producer index belongs to the other side; we read it with a load-acquire, so that the entries
 *       it covers are fully written before we read them;</li>
 *   <li>our consumer index is written with a store-release after we have read the entries, so that the
 *       other side, which load-acquires it, does not overwrite an entry we are still reading.</li>
 * </ul>
 *
 * <p>Threading: one consumer thread only; the cached indices are plain fields of that thread.
 */
public final class ConsumerRing {

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    private final MemorySegment ring;
    private final RingLayout layout;
    private final int mask;
    /** Our consumer index (owner thread only; published with store-release in release). */
    private int consumer;
    /** Last producer index seen (owner thread only; refreshed with load-acquire). */
    private int producer;

    public ConsumerRing(MemorySegment ring, RingLayout layout) {
        if (ring.byteSize() < layout.mappedBytes()) {
            throw new IllegalArgumentException("ring memory too small");
        }
        this.ring = ring;
        this.layout = layout;
        this.mask = layout.size() - 1;
        this.consumer = (int) INT.getAcquire(ring, layout.consumer());
        this.producer = (int) INT.getAcquire(ring, layout.producer());
    }

    public int size() {
        return layout.size();
    }

    /**
     * How many entries (at most {@code max}) are ready to read. The producer index is load-acquired again
     * only when the cached view is empty.
     */
    public int available(int max) {
        int n = producer - consumer;
        if (n == 0) {
            producer = (int) INT.getAcquire(ring, layout.producer());
            n = producer - consumer;
        }
        return Math.min(n, max);
    }

    /** Frame address of entry {@code i} after the last released one (addr of a desc on RX/TX). */
    public long addr(int i) {
        return ring.get(ValueLayout.JAVA_LONG_UNALIGNED, entry(i));
    }

    /** Length of descriptor {@code i} (RX/TX rings only). */
    public int len(int i) {
        return ring.get(ValueLayout.JAVA_INT_UNALIGNED, entry(i) + 8);
    }

    private long entry(int i) {
        return layout.desc() + (long) ((consumer + i) & mask) * layout.entrySize();
    }

    /** Gives {@code n} read entries back: store-release of the consumer index. */
    public void release(int n) {
        consumer += n;
        INT.setRelease(ring, layout.consumer(), consumer);
    }

    /** Our consumer index (for tests and accounting). */
    public int consumerIndex() {
        return consumer;
    }
}
