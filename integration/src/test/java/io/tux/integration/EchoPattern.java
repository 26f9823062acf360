package io.tux.integration;

import java.util.SplittableRandom;

/**
 * The Netty echo's byte stream: byte {@code p} is {@code block[p % PERIOD]}, a seeded random block whose length is a
 * prime (so it never lines up with buffer or packet sizes: a lost, duplicated or reordered chunk shows up as a
 * mismatch at once). The block carries {@link #MAX_RUN} extra bytes (a copy of its start), so any run of up to
 * that length from any position is one contiguous slice.
 *
 * <p>Threading: immutable after construction.
 */
final class EchoPattern {
    /** A prime just below 1 MiB. */
    static final int PERIOD = 1_048_573;
    static final int MAX_RUN = 64 * 1024;

    final byte[] block;

    EchoPattern(long seed) {
        block = new byte[PERIOD + MAX_RUN];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < PERIOD; i++) {
            block[i] = (byte) r.nextInt(256);
        }
        System.arraycopy(block, 0, block, PERIOD, MAX_RUN);
    }

    static int offset(long position) {
        return (int) (position % PERIOD);
    }
}
