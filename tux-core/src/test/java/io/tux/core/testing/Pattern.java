package io.tux.core.testing;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * A deterministic byte stream for transfer tests: byte {@code p} of the stream is {@code block[p % PERIOD]}
 * for a random block drawn from a seed. The period is prime, so it never lines up with packet or buffer
 * sizes, and a shifted, duplicated or dropped byte shows up at once.
 */
public final class Pattern {
    public static final int PERIOD = 65521;
    private final byte[] block = new byte[PERIOD * 2];

    public Pattern(long seed) {
        byte[] b = new byte[PERIOD];
        new SplittableRandom(seed).nextBytes(b);
        System.arraycopy(b, 0, block, 0, PERIOD);
        System.arraycopy(b, 0, block, PERIOD, PERIOD);
    }

    /** Fills {@code dst} with up to {@code max} bytes of the stream starting at {@code position}. */
    public void fill(ByteBuffer dst, long position, int max) {
        int n = Math.min(max, Math.min(dst.remaining(), PERIOD));
        dst.put(block, (int) (position % PERIOD), n);
    }

    /** A read-only view of {@code length} (at most PERIOD) stream bytes from {@code position}. */
    public ByteBuffer slice(long position, int length) {
        return ByteBuffer.wrap(block, (int) (position % PERIOD), Math.min(length, PERIOD)).asReadOnlyBuffer();
    }

    /**
     * Checks {@code length} bytes of {@code data} from {@code offset} against the stream at {@code position}.
     *
     * @return -1 if they match, else the stream position of the first wrong byte
     */
    public long mismatch(byte[] data, int offset, int length, long position) {
        int done = 0;
        while (done < length) {
            int at = (int) ((position + done) % PERIOD);
            int n = Math.min(length - done, PERIOD);
            int m = java.util.Arrays.mismatch(data, offset + done, offset + done + n, block, at, at + n);
            if (m >= 0) return position + done + m;
            done += n;
        }
        return -1;
    }
}
