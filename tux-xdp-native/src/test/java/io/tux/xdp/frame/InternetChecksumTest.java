package io.tux.xdp.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class InternetChecksumTest {

    @Test
    void rfc1071Example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2 (ones' complement), checksum 220d.
        byte[] data = HexFormat.of().parseHex("0001f203f4f5f6f7");
        MemorySegment s = MemorySegment.ofArray(data);
        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.add(0, s, 0, data.length)));
        assertEquals(0x220D, InternetChecksum.checksum(s, 0, data.length));
        assertEquals(0x220D, FrameParser.checksum(s, 0, data.length));
    }

    @Test
    void oddLengthPadsTheLastByteWithZero() {
        byte[] data = {0x12, 0x34, 0x56};
        // 0x1234 + 0x5600 = 0x6834, complemented 0x97cb
        assertEquals(0x97CB, InternetChecksum.checksum(MemorySegment.ofArray(data), 0, 3));
    }

    @Test
    void emptyAndAllOnes() {
        MemorySegment s = MemorySegment.ofArray(new byte[] {(byte) 0xFF, (byte) 0xFF});
        assertEquals(0xFFFF, InternetChecksum.checksum(s, 0, 0));
        assertEquals(0x0000, InternetChecksum.checksum(s, 0, 2));
    }

    @Test
    void foldHandlesLargeSums() {
        assertEquals(0xFFFF, InternetChecksum.fold(0xFFFFL));
        assertEquals(0x0001, InternetChecksum.fold(0x10000L));
        assertEquals(0xFFFF, InternetChecksum.fold(0xFFFF_FFFFL));          // 0xFFFF + 0xFFFF fold
        long big = (1L << 62) + 12345;                                       // 2^62 = 2^(16*3+14) ≡ 2^14
        assertEquals((1 << 14) + 12345, InternetChecksum.fold(big));
    }

    @Test
    void matchesReferenceOnRandomDataAtEveryAlignmentAndLength() {
        SplittableRandom random = new SplittableRandom(1071);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(2100);
            for (int round = 0; round < 3000; round++) {
                int length = random.nextInt(0, 2049);
                int offset = random.nextInt(0, 40);
                byte[] data = new byte[length];
                random.nextBytes(data);
                MemorySegment.copy(MemorySegment.ofArray(data), 0, native_, offset, length);
                int expected = Rfc1071.checksum(data);
                assertEquals(expected, InternetChecksum.checksum(native_, offset, length),
                        "length " + length + " offset " + offset);
                // In two pieces split at an even point, as the frame code does.
                int split = random.nextInt(0, length / 2 + 1) * 2;
                long partial = InternetChecksum.add(0, native_, offset, split);
                assertEquals(expected, InternetChecksum.finish(
                        InternetChecksum.add(partial, native_, offset + split, length - split)));
            }
        }
    }
}
