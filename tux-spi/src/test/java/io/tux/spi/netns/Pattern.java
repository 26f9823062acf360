package io.tux.spi.netns;

import java.util.SplittableRandom;

/**
 * The seeded byte pattern of the echo tests: byte {@code p} of the stream is {@code block[p % PERIOD]}. The period
 * is a prime, so it never lines up with buffer, packet or ring sizes, and a lost, duplicated or reordered chunk
 * shows up as a mismatch. The block holds {@link #MAX_RUN} bytes beyond the period (a copy of its start), so that
 * any run of up to {@link #MAX_RUN} bytes from any position is one contiguous slice.
 *
 * <p>Threading: immutable after construction.
 */
final class Pattern {
    /** A prime just below 1 MiB. */
    static final int PERIOD = 1_048_573;
    /** The longest contiguous run {@link #offset} may serve. */
    static final int MAX_RUN = 256 * 1024;

    final byte[] block;

    Pattern(long seed) {
        block = new byte[PERIOD + MAX_RUN];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < PERIOD; i++) {
            block[i] = (byte) r.nextInt(256);
        }
        System.arraycopy(block, 0, block, PERIOD, MAX_RUN);
    }

    /** Where the run that starts at stream position {@code position} lies in {@link #block}. */
    static int offset(long position) {
        return (int) (position % PERIOD);
    }
}
