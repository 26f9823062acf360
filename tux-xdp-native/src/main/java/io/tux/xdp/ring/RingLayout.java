package io.tux.xdp.ring;

/**
 * Where the fields of one AF_XDP ring sit in its mapped memory, as the kernel reports them
 * (getsockopt XDP_MMAP_OFFSETS, struct xdp_ring_offset): the producer index, the consumer index, the
 * flags word and the first entry. Indices are free-running unsigned 32-bit counters.
 *
 * @param producer offset of the u32 producer index
 * @param consumer offset of the u32 consumer index
 * @param desc offset of the first entry
 * @param flags offset of the u32 flags word (XDP_RING_NEED_WAKEUP)
 * @param size number of entries, a power of two
 * @param entrySize 8 (fill, completion: u64 frame address) or 16 (RX, TX: struct xdp_desc)
 */
public record RingLayout(long producer, long consumer, long desc, long flags, int size, int entrySize) {

    /** Bytes of a struct xdp_desc: u64 addr, u32 len, u32 options. */
    public static final int DESC_SIZE = 16;
    /** Bytes of a fill or completion entry: u64 addr. */
    public static final int ADDR_SIZE = 8;

    public RingLayout {
        if (size <= 0 || Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("ring size must be a power of two: " + size);
        }
        if (entrySize != DESC_SIZE && entrySize != ADDR_SIZE) {
            throw new IllegalArgumentException("entry size must be 8 or 16: " + entrySize);
        }
    }

    /** Bytes to map: up to the end of the last entry. */
    public long mappedBytes() {
        return desc + (long) size * entrySize;
    }

    /** A layout for rings over ordinary memory (tests): indices and flags on separate cache lines. */
    public static RingLayout plain(int size, int entrySize) {
        return new RingLayout(0, 64, 192, 128, size, entrySize);
    }
}
