package io.tux.xdp.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit big-endian words.
 *
 * <p>Sums are carried in a {@code long} that is folded to 16 bits only at the end, so a checksum can be built
 * from pieces (a precomputed partial sum of constant header words, a pseudo-header, a payload). Every piece
 * except the last must have an even length, because an odd trailing byte is padded with a zero byte.
 *
 * <p>Stateless and allocation-free; safe from any thread.
 */
public final class InternetChecksum {

    private static final ValueLayout.OfLong BE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong LE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt BE_INT =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BE_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private InternetChecksum() {
    }

    /**
     * Adds {@code length} bytes at {@code offset} to {@code sum} as big-endian 16-bit words; a trailing odd byte
     * counts as the high byte of a word whose low byte is zero. The result is an unfolded sum: pass it on to
     * further {@code add} calls or to {@link #fold}. Safe for any length up to 2 GiB and any starting sum below
     * 2^62.
     */
    public static long add(long sum, MemorySegment segment, long offset, int length) {
        long i = offset;
        long end = offset + length;
        if (length >= 32) {
            // Bulk: 64-bit loads in little-endian order, summed as 32-bit halves into two accumulators. The
            // ones' complement sum is byte-order independent (RFC 1071, 2.B): the little-endian sum, folded
            // to 16 bits, is the big-endian sum with its two bytes swapped.
            long a = 0;
            long b = 0;
            while (end - i >= 16) {
                long v = segment.get(LE_LONG, i);
                long w = segment.get(LE_LONG, i + 8);
                a += (v >>> 32) + (v & 0xFFFF_FFFFL);
                b += (w >>> 32) + (w & 0xFFFF_FFFFL);
                i += 16;
            }
            sum += Integer.reverseBytes(fold(a + b)) >>> 16;
        }
        while (end - i >= 8) {
            long v = segment.get(BE_LONG, i);
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
            i += 8;
        }
        if (end - i >= 4) {
            sum += Integer.toUnsignedLong(segment.get(BE_INT, i));
            i += 4;
        }
        if (end - i >= 2) {
            sum += Short.toUnsignedInt(segment.get(BE_SHORT, i));
            i += 2;
        }
        if (end - i == 1) {
            sum += (segment.get(ValueLayout.JAVA_BYTE, i) & 0xFF) << 8;
        }
        return sum;
    }

    /** Folds an unfolded sum to its 16-bit ones' complement sum (not complemented), in 0..0xFFFF. */
    public static int fold(long sum) {
        // Any carry out of 16 bits is added back in; 2^16 is congruent to 1 modulo 0xFFFF.
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        return (int) sum;
    }

    /** The checksum field value for an unfolded sum: the complement of its fold, in 0..0xFFFF. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /** The Internet checksum of {@code length} bytes at {@code offset}, as it would be stored in a header. */
    public static int checksum(MemorySegment segment, long offset, int length) {
        return finish(add(0, segment, offset, length));
    }
}
