package io.tux.xdp.frame;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Measurement main (not a test): nanoseconds per UDP checksum of a payload in native memory (as in the UMEM),
 * {@link InternetChecksum#add} against candidate loops, same JVM, interleaved, best of several rounds.
 * {@code java -cp <test class path> io.tux.xdp.frame.ChecksumMeasurement [length...]}.
 */
public final class ChecksumMeasurement {

    private static final ValueLayout.OfLong LE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt LE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private ChecksumMeasurement() {}

    /** Candidate: 32 bytes a round, four accumulators of 32-bit halves. */
    static long fourWide(long sum, MemorySegment s, long offset, int length) {
        long i = offset;
        long end = offset + length;
        long a = 0;
        long b = 0;
        long c = 0;
        long d = 0;
        while (end - i >= 32) {
            long v = s.get(LE_LONG, i);
            long w = s.get(LE_LONG, i + 8);
            long x = s.get(LE_LONG, i + 16);
            long y = s.get(LE_LONG, i + 24);
            a += (v >>> 32) + (v & 0xFFFF_FFFFL);
            b += (w >>> 32) + (w & 0xFFFF_FFFFL);
            c += (x >>> 32) + (x & 0xFFFF_FFFFL);
            d += (y >>> 32) + (y & 0xFFFF_FFFFL);
            i += 32;
        }
        return InternetChecksum.add(sum + (Integer.reverseBytes(InternetChecksum.fold(a + b + c + d)) >>> 16), s, i,
                (int) (end - i));
    }

    /** Candidate: 32-bit loads summed straight into two 64-bit accumulators (no shifts or masks). */
    static long intLoads(long sum, MemorySegment s, long offset, int length) {
        long i = offset;
        long end = offset + length;
        long a = 0;
        long b = 0;
        while (end - i >= 16) {
            a += Integer.toUnsignedLong(s.get(LE_INT, i)) + Integer.toUnsignedLong(s.get(LE_INT, i + 4));
            b += Integer.toUnsignedLong(s.get(LE_INT, i + 8)) + Integer.toUnsignedLong(s.get(LE_INT, i + 12));
            i += 16;
        }
        return InternetChecksum.add(sum + (Integer.reverseBytes(InternetChecksum.fold(a + b)) >>> 16), s, i,
                (int) (end - i));
    }

    /** Candidate: 64-bit adds with the carry taken from an unsigned compare. */
    static long carries(long sum, MemorySegment s, long offset, int length) {
        long i = offset;
        long end = offset + length;
        long acc = 0;
        long carry = 0;
        while (end - i >= 16) {
            long v = s.get(LE_LONG, i);
            long w = s.get(LE_LONG, i + 8);
            acc += v;
            carry += Long.compareUnsigned(acc, v) < 0 ? 1 : 0;
            acc += w;
            carry += Long.compareUnsigned(acc, w) < 0 ? 1 : 0;
            i += 16;
        }
        long folded = (acc >>> 32) + (acc & 0xFFFF_FFFFL) + carry; // 2^64 == 1 modulo 0xFFFF
        return InternetChecksum.add(sum + (Integer.reverseBytes(InternetChecksum.fold(folded)) >>> 16), s, i,
                (int) (end - i));
    }

    interface Sum {
        long add(long sum, MemorySegment s, long offset, int length);
    }

    /**
     * {@code ChecksumMeasurement [variant] [length...]}: with a variant name ({@code current}, {@code fourWide},
     * {@code intLoads}, {@code carries}) only that one runs, so its call site stays monomorphic; run each in its own
     * JVM to compare. The payload is checksummed where it was just written (in cache), as on the send path.
     */
    public static void main(String[] args) {
        String[] names = {"current", "fourWide", "intLoads", "carries"};
        Sum[] sums = {InternetChecksum::add, ChecksumMeasurement::fourWide, ChecksumMeasurement::intLoads,
                ChecksumMeasurement::carries};
        int only = -1;
        int skip = 0;
        if (args.length > 0 && !Character.isDigit(args[0].charAt(0))) {
            only = java.util.Arrays.asList(names).indexOf(args[0]);
            skip = 1;
        }
        int[] lengths = args.length <= skip ? new int[] {1440, 3440}
                : java.util.Arrays.stream(args).skip(skip).mapToInt(Integer::parseInt).toArray();
        MemorySegment umem = Arena.global().allocate(1 << 20, 4096);
        for (long i = 0; i < umem.byteSize(); i++) {
            umem.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 131 + (i >>> 9)));
        }
        for (int length : lengths) {
            // Same answer from every candidate, at every alignment and length around it.
            for (int off = 0; off < 64; off++) {
                for (int len = length - 40; len <= length; len++) {
                    int want = InternetChecksum.fold(InternetChecksum.add(0, umem, 4096 + off, len));
                    for (int k = 1; k < sums.length; k++) {
                        int got = InternetChecksum.fold(sums[k].add(0, umem, 4096 + off, len));
                        if (got != want) {
                            throw new AssertionError(names[k] + " differs at off " + off + " len " + len);
                        }
                    }
                }
            }
            StringBuilder line = new StringBuilder("length " + length + ":");
            long sink = 0;
            for (int k = 0; k < sums.length; k++) {
                if (only >= 0 && k != only) {
                    continue;
                }
                double best = Double.MAX_VALUE;
                for (int round = 0; round < 40; round++) {
                    int n = 100_000;
                    long t0 = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        sink += sums[k].add(0, umem, (long) (i & 3) * 4096 + 42, length);
                    }
                    best = Math.min(best, (System.nanoTime() - t0) / (double) n);
                }
                line.append(String.format(Locale.ROOT, " %s %.1f ns (%.2f B/ns)", names[k], best, length / best));
            }
            System.out.println(line + " [" + (sink & 1) + "]");
        }
    }
}
