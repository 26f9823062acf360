package io.tux.xdp.frame;

import static io.tux.xdp.frame.FrameTemplateTest.FIRST_FRAME;
import static io.tux.xdp.frame.FrameTemplateTest.MAC_A;
import static io.tux.xdp.frame.FrameTemplateTest.MAC_B;
import static io.tux.xdp.frame.FrameTemplateTest.hex;
import static io.tux.xdp.frame.FrameTemplateTest.v4;
import static io.tux.xdp.frame.FrameTemplateTest.v6;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class FrameParserTest {

    private final FrameParser parser = new FrameParser();
    private final ParsedFrame out = new ParsedFrame();

    private static byte[] v6Frame() throws Exception {
        return FrameTemplateTest.build(
                FrameTemplate.ipv6(MAC_A, MAC_B, v6("fd00:77::1"), 40000, v6("fd00:77::2"), 7000),
                "tux!".getBytes());
    }

    /** Recomputes the IPv4 header checksum with the reference, so that a test reaches the check it aims at. */
    private static void fixIpChecksum(byte[] f) {
        f[24] = 0;
        f[25] = 0;
        int c = Rfc1071.checksum(Rfc1071.range(f, 14, 14 + (f[14] & 0x0F) * 4));
        f[24] = (byte) (c >>> 8);
        f[25] = (byte) c;
    }

    private void assertDropped(byte[] frame, int length, DropReason reason) {
        long before = parser.drops(reason);
        long total = parser.totalDrops();
        assertFalse(parser.parse(MemorySegment.ofArray(frame), 0, length, out), reason.toString());
        assertEquals(reason, parser.lastDrop());
        assertEquals(before + 1, parser.drops(reason));
        assertEquals(total + 1, parser.totalDrops(), "exactly one counter moved");
    }

    private void assertDropped(byte[] frame, DropReason reason) {
        assertDropped(frame, frame.length, reason);
    }

    private static byte[] mutate(String base, Consumer<byte[]> change) {
        byte[] f = hex(base);
        change.accept(f);
        return f;
    }

    @Test
    void parsesTheKnownIpv4Frame() throws Exception {
        byte[] f = hex(FIRST_FRAME);
        assertNull(parser.lastDrop());
        assertTrue(parser.parse(MemorySegment.ofArray(f), 0, f.length, out));
        assertEquals(4, out.ipVersion());
        assertEquals(0x0a4d0001, out.srcIp());
        assertEquals(0x0a4d0002, out.dstIp());
        assertEquals(40000, out.srcPort());
        assertEquals(7000, out.dstPort());
        assertEquals(42, out.payloadOffset());
        assertEquals(4, out.payloadLength());
        assertEquals(0x020000000001L, out.srcMac());
        assertEquals(0x020000000002L, out.dstMac());
        assertTrue(out.udpChecksumPresent());
        assertEquals(v4("10.77.0.1"), out.srcAddress());
        assertEquals(v4("10.77.0.2"), out.dstAddress());
        assertEquals(1, parser.accepted());
        assertEquals(0, parser.totalDrops());
        assertEquals(0x0a4d0001_9c40_1b58L, out.ipv4FlowKey());
        assertEquals(out.ipv4FlowKey(), ParsedFrame.ipv4FlowKey(0x0a4d0001, 40000, 7000));
        assertEquals(0xFFFFFFFF_FFFF_FFFFL, ParsedFrame.ipv4FlowKey(-1, 0xFFFF, 0xFFFF));
    }

    @Test
    void parsesAtAnOffsetInsideNativeMemoryAndIgnoresEthernetPadding() {
        byte[] f = hex(FIRST_FRAME);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(8192);
            long at = 4096 + 3;
            MemorySegment.copy(MemorySegment.ofArray(f), 0, umem, at, f.length);
            // A 60-byte minimum Ethernet frame: 14 bytes of padding after the IP packet.
            assertTrue(parser.parse(umem, at, 60, out));
            assertEquals(at + 42, out.payloadOffset());
            assertEquals(4, out.payloadLength());
            assertEquals(0x74757821, umem.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN),
                    out.payloadOffset()));
        }
    }

    @Test
    void parsesTheKnownIpv6Frame() throws Exception {
        byte[] f = v6Frame();
        assertTrue(parser.parse(MemorySegment.ofArray(f), 0, f.length, out));
        assertEquals(6, out.ipVersion());
        assertEquals(0xfd00007700000000L, out.srcIpHigh());
        assertEquals(1L, out.srcIpLow());
        assertEquals(0xfd00007700000000L, out.dstIpHigh());
        assertEquals(2L, out.dstIpLow());
        assertEquals(v6("fd00:77::1"), out.srcAddress());
        assertEquals(v6("fd00:77::2"), out.dstAddress());
        assertEquals(62, out.payloadOffset());
        assertEquals(4, out.payloadLength());
    }

    @Test
    void acceptsIpv4WithoutUdpChecksum() {
        byte[] f = mutate(FIRST_FRAME, b -> {
            b[40] = 0;
            b[41] = 0;
        });
        assertTrue(parser.parse(MemorySegment.ofArray(f), 0, f.length, out));
        assertFalse(out.udpChecksumPresent());
    }

    @Test
    void acceptsIpv4OptionsAndSkipsThem() {
        byte[] base = hex(FIRST_FRAME);
        // Insert 4 bytes of options (NOP NOP NOP EOL): IHL 6, total length 36.
        byte[] f = Rfc1071.concat(Rfc1071.range(base, 0, 34), new byte[] {1, 1, 1, 0}, Rfc1071.range(base, 34, 46));
        f[14] = 0x46;
        f[17] = 36;
        fixIpChecksum(f);
        assertTrue(parser.parse(MemorySegment.ofArray(f), 0, f.length, out));
        assertEquals(46, out.payloadOffset());
        assertEquals(4, out.payloadLength());
        assertEquals(7000, out.dstPort());
    }

    @Test
    void rejectsEveryTruncation() {
        byte[] f = hex(FIRST_FRAME);
        for (int length = 0; length < f.length; length++) {
            assertDropped(f, length, DropReason.TRUNCATED);
        }
        assertEquals(46, parser.drops(DropReason.TRUNCATED));
        assertEquals(0, parser.accepted());
    }

    @Test
    void rejectsEveryIpv6Truncation() throws Exception {
        byte[] f = v6Frame();
        for (int length = 0; length < f.length; length++) {
            assertDropped(f, length, DropReason.TRUNCATED);
        }
    }

    @Test
    void rejectsWrongEtherTypes() {
        assertDropped(mutate(FIRST_FRAME, b -> b[13] = 0x06), DropReason.NOT_IP);         // ARP
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[12] = (byte) 0x81;                                                       // 802.1Q VLAN tag
            b[13] = 0x00;
        }), DropReason.NOT_IP);
    }

    @Test
    void rejectsBadIpHeaders() throws Exception {
        assertDropped(mutate(FIRST_FRAME, b -> b[14] = 0x65), DropReason.BAD_IP_HEADER);  // version 6 in IPv4
        assertDropped(mutate(FIRST_FRAME, b -> b[14] = 0x44), DropReason.BAD_IP_HEADER);  // IHL 4
        byte[] v6 = v6Frame();
        v6[14] = 0x40;
        assertDropped(v6, DropReason.BAD_IP_HEADER);
    }

    @Test
    void rejectsLyingIpLengths() throws Exception {
        // Claims more than the frame holds.
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[17] = 33;
            fixIpChecksum(b);
        }), DropReason.TRUNCATED);
        // Too short to hold IP and UDP headers.
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[17] = 27;
            fixIpChecksum(b);
        }), DropReason.BAD_IP_LENGTH);
        // Shorter than the real content: the UDP length no longer matches.
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[17] = 31;
            fixIpChecksum(b);
        }), DropReason.BAD_UDP_LENGTH);
        byte[] v6 = v6Frame();
        v6[19] = 13;
        assertDropped(v6, DropReason.TRUNCATED);
        v6[19] = 7;
        assertDropped(v6, DropReason.BAD_IP_LENGTH);
        v6[19] = 11;
        assertDropped(v6, DropReason.BAD_UDP_LENGTH);
    }

    @Test
    void rejectsLyingUdpLengths() {
        for (int udpLength : new int[] {0, 7, 8, 11, 13, 0xFFFF}) {
            assertDropped(mutate(FIRST_FRAME, b -> {
                b[38] = (byte) (udpLength >>> 8);
                b[39] = (byte) udpLength;
            }), DropReason.BAD_UDP_LENGTH);
        }
    }

    @Test
    void rejectsFragments() throws Exception {
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[20] = 0x20;                                                                // MF
            b[21] = 0x00;
            fixIpChecksum(b);
        }), DropReason.IP_FRAGMENT);
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[20] = 0x00;                                                                // offset 8 bytes
            b[21] = 0x01;
            fixIpChecksum(b);
        }), DropReason.IP_FRAGMENT);
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[20] = 0x5F;                                                                // DF + offset high bits
            b[21] = 0x00;
            fixIpChecksum(b);
        }), DropReason.IP_FRAGMENT);
        byte[] v6 = v6Frame();
        v6[20] = 44;
        assertDropped(v6, DropReason.IP_FRAGMENT);
    }

    @Test
    void rejectsBadIpChecksumForEverySingleBitFlipInTheIpHeader() {
        // Flip each bit of the addresses, TTL and checksum (fields whose flip no earlier check catches).
        int[] bytes = {22, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33};
        for (int at : bytes) {
            for (int bit = 0; bit < 8; bit++) {
                int mask = 1 << bit;
                assertDropped(mutate(FIRST_FRAME, b -> b[at] ^= (byte) mask), DropReason.BAD_IP_CHECKSUM);
            }
        }
    }

    @Test
    void rejectsNonUdp() throws Exception {
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[23] = 6;                                                                   // TCP
            fixIpChecksum(b);
        }), DropReason.NOT_UDP);
        byte[] v6 = v6Frame();
        v6[20] = 0;                                                                      // hop-by-hop options
        assertDropped(v6, DropReason.NOT_UDP);
    }

    @Test
    void rejectsBadUdpChecksums() throws Exception {
        for (int at = 34; at < 46; at++) {
            if (at == 38 || at == 39) {
                continue;                                                                // length: own check
            }
            int where = at;
            assertDropped(mutate(FIRST_FRAME, b -> b[where] ^= 0x10), DropReason.BAD_UDP_CHECKSUM);
        }
        // Source address changed with a correct IP checksum: only the pseudo-header catches it.
        assertDropped(mutate(FIRST_FRAME, b -> {
            b[29] = 9;
            fixIpChecksum(b);
        }), DropReason.BAD_UDP_CHECKSUM);
        byte[] v6 = v6Frame();
        v6[65] ^= 1;
        assertDropped(v6, DropReason.BAD_UDP_CHECKSUM);
        byte[] zero = v6Frame();
        zero[60] = 0;
        zero[61] = 0;
        assertDropped(zero, DropReason.BAD_UDP_CHECKSUM);                               // mandatory on IPv6
    }

    @Test
    void withoutUdpChecksumVerificationOnlyTheUdpChecksumIsIgnored() throws Exception {
        FrameParser lenient = new FrameParser(false);
        assertFalse(lenient.verifiesUdpChecksum());
        assertTrue(parser.verifiesUdpChecksum());
        byte[] badUdp = mutate(FIRST_FRAME, b -> b[41] ^= 0x40);
        assertTrue(lenient.parse(MemorySegment.ofArray(badUdp), 0, badUdp.length, out));
        assertEquals(4, out.payloadLength());
        assertTrue(out.udpChecksumPresent());
        byte[] v6 = v6Frame();
        v6[60] = 0;
        assertTrue(lenient.parse(MemorySegment.ofArray(v6), 0, v6.length, out));
        byte[] badIp = mutate(FIRST_FRAME, b -> b[25] ^= 0x40);
        assertFalse(lenient.parse(MemorySegment.ofArray(badIp), 0, badIp.length, out));
        assertEquals(DropReason.BAD_IP_CHECKSUM, lenient.lastDrop());
        byte[] badLength = mutate(FIRST_FRAME, b -> b[39] = 13);
        assertFalse(lenient.parse(MemorySegment.ofArray(badLength), 0, badLength.length, out));
        assertEquals(DropReason.BAD_UDP_LENGTH, lenient.lastDrop());
        assertEquals(2, lenient.accepted());
    }

    @Test
    void callerBoundsErrorsThrow() {
        byte[] f = hex(FIRST_FRAME);
        MemorySegment s = MemorySegment.ofArray(f);
        assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(s, 1, f.length, out));
        assertThrows(IndexOutOfBoundsException.class, () -> parser.parse(s, -1, 10, out));
        assertEquals(0, parser.totalDrops());
    }

    /** Random routes and payloads written by the template parse back to the same values; any flip is caught. */
    @Test
    void roundTripsRandomFrames() throws Exception {
        SplittableRandom random = new SplittableRandom(42);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(4096);
            for (int round = 0; round < 2000; round++) {
                boolean six = random.nextBoolean();
                byte[] srcMac = new byte[6];
                byte[] dstMac = new byte[6];
                random.nextBytes(srcMac);
                random.nextBytes(dstMac);
                byte[] src = new byte[six ? 16 : 4];
                byte[] dst = new byte[six ? 16 : 4];
                random.nextBytes(src);
                random.nextBytes(dst);
                int srcPort = random.nextInt(0, 0x10000);
                int dstPort = random.nextInt(0, 0x10000);
                InetAddress s = InetAddress.getByAddress(src);
                InetAddress d = InetAddress.getByAddress(dst);
                FrameTemplate t = six
                        ? FrameTemplate.ipv6(srcMac, dstMac, (java.net.Inet6Address) s, srcPort,
                                (java.net.Inet6Address) d, dstPort)
                        : FrameTemplate.ipv4(srcMac, dstMac, (java.net.Inet4Address) s, srcPort,
                                (java.net.Inet4Address) d, dstPort);
                int payloadLength = random.nextInt(0, t.maxPayload(1500) + 1);
                byte[] payload = new byte[payloadLength];
                random.nextBytes(payload);
                long at = random.nextInt(0, 2048);
                MemorySegment.copy(MemorySegment.ofArray(payload), 0, umem, at + t.headerLength(), payloadLength);
                t.write(umem, at, payloadLength);
                int frameLength = t.frameLength(payloadLength);
                assertTrue(parser.parse(umem, at, frameLength, out), () -> "round trip dropped: " + parser.lastDrop());
                assertEquals(six ? 6 : 4, out.ipVersion());
                assertEquals(s, out.srcAddress());
                assertEquals(d, out.dstAddress());
                assertEquals(srcPort, out.srcPort());
                assertEquals(dstPort, out.dstPort());
                assertEquals(MacAddress.toLong(srcMac), out.srcMac());
                assertEquals(MacAddress.toLong(dstMac), out.dstMac());
                assertEquals(at + t.headerLength(), out.payloadOffset());
                assertEquals(payloadLength, out.payloadLength());
                assertArrayEquals(payload, umem.asSlice(out.payloadOffset(), payloadLength)
                        .toArray(ValueLayout.JAVA_BYTE));
                // The template's checksums agree with the reference implementation.
                byte[] frame = umem.asSlice(at, frameLength).toArray(ValueLayout.JAVA_BYTE);
                assertEquals(0, referenceUdpVerify(frame, six));
                // A single bit flip anywhere after the Ethernet header is never accepted, except in the
                // IPv6 fields no check covers (traffic class, flow label, hop limit: bytes 15 to 17 and 21).
                long flipAt;
                do {
                    flipAt = at + 14 + random.nextInt(0, frameLength - 14);
                } while (six && (flipAt - at >= 15 && flipAt - at <= 17 || flipAt - at == 21));
                byte old = umem.get(ValueLayout.JAVA_BYTE, flipAt);
                int bit = six && flipAt - at == 14 ? 4 + random.nextInt(4) : random.nextInt(8); // 14: version nibble
                umem.set(ValueLayout.JAVA_BYTE, flipAt, (byte) (old ^ (1 << bit)));
                long drops = parser.totalDrops();
                long flipped = flipAt - at;
                assertFalse(parser.parse(umem, at, frameLength, out), () -> "flip at " + flipped);
                assertEquals(drops + 1, parser.totalDrops());
                umem.set(ValueLayout.JAVA_BYTE, flipAt, old);
            }
        }
        assertEquals(2000, parser.accepted());
        assertEquals(2000, parser.totalDrops());
    }

    /** The reference checksum over pseudo-header and UDP datagram; 0 when the stored checksum is right. */
    private static int referenceUdpVerify(byte[] f, boolean six) {
        int ipStart = 14;
        int udpStart = six ? 54 : 34;
        byte[] udp = Arrays.copyOfRange(f, udpStart, f.length);
        byte[] pseudo = six
                ? Rfc1071.concat(Rfc1071.range(f, ipStart + 8, ipStart + 40), new byte[] {0, 0},
                        Rfc1071.u16(udp.length), new byte[] {0, 0, 0, 17})
                : Rfc1071.concat(Rfc1071.range(f, ipStart + 12, ipStart + 20), new byte[] {0, 17},
                        Rfc1071.u16(udp.length));
        return Rfc1071.checksum(pseudo, udp);
    }
}
