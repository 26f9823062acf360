package io.tux.xdp.ring;

/**
 * The bookkeeping of the UMEM's frames: a free list and, per frame, where it is. A frame is always in exactly
 * one place:
 * <ul>
 *   <li>{@link #FREE}: on the free list, owned by user space;</li>
 *   <li>{@link #FILL}: handed to the kernel on the fill ring (possibly now being filled by it);</li>
 *   <li>{@link #RX}: received on the RX ring, in user hands until recycled;</li>
 *   <li>{@link #TX}: handed to the kernel on the TX ring, until it comes back on the completion ring.</li>
 * </ul>
 * Every move names the place the frame must come from; a frame found elsewhere (a kernel or user bug)
 * is counted in {@link #violations()} and not moved. No allocation after construction.
 *
 * <p>Threading: owned by the one network thread of its socket; not thread-safe.
 */
public final class UmemFrames {

    public static final byte FREE = 0;
    public static final byte FILL = 1;
    public static final byte RX = 2;
    public static final byte TX = 3;
    private static final int PLACES = 4;

    private final int frameShift;
    private final byte[] place;
    private final int[] counts = new int[PLACES];
    private final long[] freeList;
    private int freeCount;
    private long violations;

    /** {@code frameCount} frames of {@code frameSize} bytes (a power of two), all free. */
    public UmemFrames(int frameCount, int frameSize) {
        if (frameSize <= 0 || Integer.bitCount(frameSize) != 1) {
            throw new IllegalArgumentException("frame size must be a power of two: " + frameSize);
        }
        this.frameShift = Integer.numberOfTrailingZeros(frameSize);
        this.place = new byte[frameCount];
        this.freeList = new long[frameCount];
        // Lowest addresses on top of the stack: handed out first.
        for (int i = 0; i < frameCount; i++) {
            freeList[i] = (long) (frameCount - 1 - i) << frameShift;
        }
        this.freeCount = frameCount;
        counts[FREE] = frameCount;
    }

    public int frameCount() {
        return place.length;
    }

    public int frameSize() {
        return 1 << frameShift;
    }

    /** Start of the frame holding {@code addr} (RX addresses point past the headroom). */
    public long frameOf(long addr) {
        return (addr >>> frameShift) << frameShift;
    }

    /** Takes a frame off the free list into {@code to}; returns its address, or -1 when none is free. */
    public long take(byte to) {
        if (freeCount == 0) {
            return -1;
        }
        long addr = freeList[--freeCount];
        place[(int) (addr >>> frameShift)] = to;
        counts[FREE]--;
        counts[to]++;
        return addr;
    }

    /** Moves the frame holding {@code addr} from {@code from} to {@code to}; false (and a violation) if it was not there. */
    public boolean move(long addr, byte from, byte to) {
        long index = addr >>> frameShift;
        if (addr < 0 || index >= place.length || place[(int) index] != from || to == FREE) {
            violations++;
            return false;
        }
        place[(int) index] = to;
        counts[from]--;
        counts[to]++;
        return true;
    }

    /** Returns the frame holding {@code addr} from {@code from} to the free list. */
    public boolean free(long addr, byte from) {
        long index = addr >>> frameShift;
        if (addr < 0 || index >= place.length || place[(int) index] != from) {
            violations++;
            return false;
        }
        place[(int) index] = FREE;
        counts[from]--;
        counts[FREE]++;
        freeList[freeCount++] = index << frameShift;
        return true;
    }

    /** How many frames are in {@code where} now. */
    public int count(byte where) {
        return counts[where];
    }

    /** Where the frame holding {@code addr} is. */
    public byte placeOf(long addr) {
        return place[(int) (addr >>> frameShift)];
    }

    /** Moves that found a frame in the wrong place (should stay 0). */
    public long violations() {
        return violations;
    }

    /**
     * Checks the accounting invariant by recounting: every frame in exactly one place, the per-place counts
     * agree with the per-frame places, they sum to the frame count, and the free list holds exactly the FREE
     * frames, each once. Allocates; meant for tests and diagnostics, not the hot path.
     *
     * @return null when consistent, else what is wrong
     */
    public String checkInvariant() {
        int[] recount = new int[PLACES];
        for (byte p : place) {
            if (p < 0 || p >= PLACES) {
                return "frame in unknown place " + p;
            }
            recount[p]++;
        }
        int sum = 0;
        for (int p = 0; p < PLACES; p++) {
            if (recount[p] != counts[p]) {
                return "place " + p + ": counted " + counts[p] + " but " + recount[p] + " frames are there";
            }
            sum += counts[p];
        }
        if (sum != place.length) {
            return "counts sum to " + sum + ", not " + place.length;
        }
        if (freeCount != counts[FREE]) {
            return "free list holds " + freeCount + " but " + counts[FREE] + " frames are FREE";
        }
        boolean[] seen = new boolean[place.length];
        for (int i = 0; i < freeCount; i++) {
            int index = (int) (freeList[i] >>> frameShift);
            if (seen[index] || place[index] != FREE) {
                return "free list entry " + i + " (frame " + index + ") is duplicated or not FREE";
            }
            seen[index] = true;
        }
        return null;
    }
}
