package io.tux.core.buffer;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A single-producer, single-consumer byte ring over a heap array, addressed by ever-growing long positions.
 *
 * <p>It carries a connection's bytes between an application thread and the network thread without locks: the
 * send ring (application produces, network thread consumes, and releases bytes only once the peer acknowledged
 * them) and the delivery ring (network thread produces, application consumes).
 *
 * <p>Memory ordering: the producer writes bytes, then publishes {@code producerPosition} with a release store;
 * the consumer reads it with an acquire load before touching those bytes. Symmetrically the consumer publishes
 * {@code consumerPosition} with a release store after it has finished reading bytes, and the producer reads it
 * with an acquire load before overwriting them. "Producer" and "consumer" are roles: one thread at a time in
 * each role (callers serialise, e.g. under a channel's read or write lock, which also orders successive
 * holders of the role).
 */
public final class ByteRing {
    private static final VarHandle PRODUCER;
    private static final VarHandle CONSUMER;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            PRODUCER = l.findVarHandle(ByteRing.class, "producerPosition", long.class);
            CONSUMER = l.findVarHandle(ByteRing.class, "consumerPosition", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * The bytes, made on the producer's first write (a connection that never carries data, such as one that fell
     * back to TCP, costs no buffer). Written once by the producer before it publishes its first position (release
     * store); the consumer reads it only after an acquire load showed bytes, so it sees the array.
     */
    private byte[] data;
    private MemorySegment segment;
    private final int capacity;
    private final int mask;

    /** Written by the producer (release), read by the consumer (acquire): bytes below it are readable. */
    @SuppressWarnings("unused")
    private long producerPosition;
    /** Written by the consumer (release), read by the producer (acquire): bytes below it may be overwritten. */
    @SuppressWarnings("unused")
    private long consumerPosition;

    /** @param capacity a power of two */
    public ByteRing(int capacity) {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        this.capacity = capacity;
        this.mask = capacity - 1;
    }

    /** Producer side: the backing array, made on first use. */
    private byte[] array() {
        byte[] d = data;
        if (d == null) {
            d = new byte[capacity];
            segment = MemorySegment.ofArray(d);
            data = d;
        }
        return d;
    }

    public int capacity() { return capacity; }

    // ---- positions ----

    /** The producer's own view of its position (plain read; only the producer may call it). */
    public long producerPositionPlain() { return (long) PRODUCER.get(this); }
    /** The producer's position as published (acquire): call from the consumer. */
    public long producerPosition() { return (long) PRODUCER.getAcquire(this); }
    /** The consumer's own view of its position (plain read; only the consumer may call it). */
    public long consumerPositionPlain() { return (long) CONSUMER.get(this); }
    /** The consumer's position as published (acquire): call from the producer. */
    public long consumerPosition() { return (long) CONSUMER.getAcquire(this); }

    // ---- producer side ----

    /** Bytes the producer may write now. */
    public int freeBytes() {
        return capacity - (int) (producerPositionPlain() - consumerPosition());
    }

    /** Copies up to {@code max} bytes from {@code src} (as many as fit) and publishes them; returns the count. */
    public int offer(ByteBuffer src, int max) {
        int n = Math.min(Math.min(src.remaining(), max), freeBytes());
        if (n <= 0) return 0;
        long p = producerPositionPlain();
        int at = (int) (p & mask);
        int first = Math.min(n, capacity - at);
        byte[] d = array();
        src.get(d, at, first);
        if (n > first) src.get(d, 0, n - first);
        PRODUCER.setRelease(this, p + n);
        return n;
    }

    /** Writes {@code length} bytes at the producer position without publishing; the caller checked the room. */
    public void write(long position, MemorySegment src, long srcOffset, int length) {
        array();
        int at = (int) (position & mask);
        int first = Math.min(length, capacity - at);
        MemorySegment.copy(src, srcOffset, segment, at, first);
        if (length > first) MemorySegment.copy(src, srcOffset + first, segment, 0, length - first);
    }

    /** Copies {@code length} bytes from {@code src} to {@code position} without publishing; the caller checked the room. */
    public void write(long position, ByteBuffer src, int length) {
        byte[] d = array();
        int at = (int) (position & mask);
        int first = Math.min(length, capacity - at);
        src.get(d, at, first);
        if (length > first) src.get(d, 0, length - first);
    }

    /** Writes a big-endian int at {@code position} without publishing (wraps byte by byte if needed). */
    public void writeInt(long position, int value) {
        byte[] d = array();
        for (int i = 0; i < 4; i++) {
            d[(int) ((position + i) & mask)] = (byte) (value >>> (24 - 8 * i));
        }
    }

    /** Publishes everything written below {@code position}. */
    public void publish(long position) { PRODUCER.setRelease(this, position); }

    // ---- consumer side ----

    /** Bytes readable now (acquire). */
    public long readableBytes() { return producerPosition() - consumerPositionPlain(); }

    /** Copies {@code length} bytes at {@code position} (which must be readable) into {@code dst}. */
    public void copyOut(long position, MemorySegment dst, long dstOffset, int length) {
        int at = (int) (position & mask);
        int first = Math.min(length, capacity - at);
        MemorySegment.copy(segment, at, dst, dstOffset, first);
        if (length > first) MemorySegment.copy(segment, 0, dst, dstOffset + first, length - first);
    }

    /** Copies {@code length} bytes at {@code position} (which must be readable) into {@code dst}'s remaining. */
    public void copyOut(long position, ByteBuffer dst, int length) {
        int at = (int) (position & mask);
        int first = Math.min(length, capacity - at);
        dst.put(data, at, first);
        if (length > first) dst.put(data, 0, length - first);
    }

    /** Reads a big-endian int at {@code position} (which must be readable). */
    public int readInt(long position) {
        int v = 0;
        for (int i = 0; i < 4; i++) v = (v << 8) | (data[(int) ((position + i) & mask)] & 0xFF);
        return v;
    }

    /** Gives bytes below {@code position} back to the producer. */
    public void release(long position) { CONSUMER.setRelease(this, position); }

    /** Reads as many readable bytes as fit into {@code dst} and releases them; returns the count. */
    public int take(ByteBuffer dst) {
        long c = consumerPositionPlain();
        int n = (int) Math.min(dst.remaining(), producerPosition() - c);
        if (n <= 0) return 0;
        copyOut(c, dst, n);
        release(c + n);
        return n;
    }

    /** Reads one byte at position (for tests and diagnostics). */
    public byte byteAt(long position) { return data[(int) (position & mask)]; }

    /** For tests: the backing segment's byte at a raw index. */
    MemorySegment segment() { return segment; }
}
