package io.tux.xdp.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class FrameTemplateTest {

    static final byte[] MAC_A = HexFormat.of().parseHex("020000000001");
    static final byte[] MAC_B = HexFormat.of().parseHex("020000000002");

    static Inet4Address v4(String s) throws Exception {
        return (Inet4Address) InetAddress.getByName(s);
    }

    static Inet6Address v6(String s) throws Exception {
        return (Inet6Address) InetAddress.getByName(s);
    }

    static FrameTemplate templateAtoB() throws Exception {
        return FrameTemplate.ipv4(MAC_A, MAC_B, v4("10.77.0.1"), 40000, v4("10.77.0.2"), 7000);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static byte[] build(FrameTemplate t, byte[] payload) {
        MemorySegment frame = MemorySegment.ofArray(new byte[t.frameLength(payload.length)]);
        MemorySegment.copy(MemorySegment.ofArray(payload), 0, frame, t.headerLength(), payload.length);
        t.write(frame, 0, payload.length);
        return frame.toArray(ValueLayout.JAVA_BYTE);
    }

    /** Hex dump of the first frame: IP checksum 0x2631, UDP checksum 0x470a (worked out independently). */
    static final String FIRST_FRAME =
            "02 00 00 00 00 02 02 00 00 00 00 01 08 00"               // Ethernet: dst, src, IPv4
            + "45 00 00 20 00 00 40 00 40 11 26 31 0a 4d 00 01 0a 4d 00 02" // IPv4: len 32, id 0, DF, TTL 64, UDP
            + "9c 40 1b 58 00 0c 47 0a"                                // UDP 40000 -> 7000, len 12
            + "74 75 78 21";                                           // "tux!"

    @Test
    void ipv4FrameHasExactBytes() throws Exception {
        FrameTemplate t = templateAtoB();
        assertEquals(42, t.headerLength());
        assertEquals(4, t.ipVersion());
        byte[] frame = build(t, "tux!".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(hex(FIRST_FRAME), frame);
    }

    @Test
    void expectedChecksumsAgreeWithTheReference() {
        byte[] f = hex(FIRST_FRAME);
        byte[] ipHeaderZeroed = Rfc1071.range(f, 14, 34);
        ipHeaderZeroed[10] = 0;
        ipHeaderZeroed[11] = 0;
        assertEquals(0x2631, Rfc1071.checksum(ipHeaderZeroed));
        byte[] pseudo = Rfc1071.concat(Rfc1071.range(f, 26, 34), new byte[] {0, 17}, Rfc1071.u16(12));
        byte[] udpZeroed = Rfc1071.range(f, 34, 46);
        udpZeroed[6] = 0;
        udpZeroed[7] = 0;
        assertEquals(0x470A, Rfc1071.checksum(pseudo, udpZeroed));
    }

    @Test
    void identificationCountsUpAndChecksumFollows() throws Exception {
        FrameTemplate t = templateAtoB();
        build(t, new byte[4]);
        assertEquals(1, t.nextIdentification());
        byte[] f = build(t, "hello".getBytes(StandardCharsets.US_ASCII)); // odd payload, id 1
        assertArrayEquals(hex("00 21 00 01"), Rfc1071.range(f, 16, 20));  // total length 33, id 1
        assertArrayEquals(hex("26 2f"), Rfc1071.range(f, 24, 26));         // IP checksum
        assertArrayEquals(hex("00 0d ef cc"), Rfc1071.range(f, 38, 42));  // UDP length 13, checksum
        assertEquals(2, t.nextIdentification());
    }

    @Test
    void identificationWrapsAt16Bits() throws Exception {
        FrameTemplate t = templateAtoB();
        MemorySegment frame = MemorySegment.ofArray(new byte[100]);
        for (int i = 0; i < 0x10000; i++) {
            t.writeHeaders(frame, 0, 10);
        }
        assertEquals(0, t.nextIdentification());
        t.writeHeaders(frame, 0, 10);
        assertEquals(0, frame.get(FrameTemplate.BE_SHORT, 18));
        assertEquals(0, Rfc1071.onesComplementSum(Rfc1071.range(frame.toArray(ValueLayout.JAVA_BYTE), 14, 34)) ^ 0xFFFF);
    }

    @Test
    void ipv6FrameHasExactBytes() throws Exception {
        FrameTemplate t = FrameTemplate.ipv6(MAC_A, MAC_B, v6("fd00:77::1"), 40000, v6("fd00:77::2"), 7000);
        assertEquals(62, t.headerLength());
        byte[] frame = build(t, "tux!".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(hex("02 00 00 00 00 02 02 00 00 00 00 01 86 dd"
                + "60 00 00 00 00 0c 11 40"
                + "fd 00 00 77 00 00 00 00 00 00 00 00 00 00 00 01"
                + "fd 00 00 77 00 00 00 00 00 00 00 00 00 00 00 02"
                + "9c 40 1b 58 00 0c 60 b4"
                + "74 75 78 21"), frame);
    }

    @Test
    void writeHeadersThenChecksumEqualsWrite() throws Exception {
        byte[] payload = "tux!".getBytes(StandardCharsets.US_ASCII);
        FrameTemplate t = templateAtoB();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment umem = arena.allocate(4096);
            long at = 2048 + 256;
            t.writeHeaders(umem, at, payload.length);
            assertEquals(0, umem.get(FrameTemplate.BE_SHORT, at + 40), "UDP checksum left zero");
            MemorySegment.copy(MemorySegment.ofArray(payload), 0, umem, at + 42, payload.length);
            t.writeUdpChecksum(umem, at, payload.length);
            assertArrayEquals(hex(FIRST_FRAME), umem.asSlice(at, 46).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void computedZeroUdpChecksumIsSentAsAllOnes() throws Exception {
        FrameTemplate t = templateAtoB();
        // Choose a 2-byte payload that makes the checksum sum come out as 0xFFFF (checksum 0).
        byte[] probe = build(t, new byte[2]);
        int withZeroPayload = 0xFFFF & ~(probe[40] << 8 & 0xFF00 | probe[41] & 0xFF); // sum without payload
        int word = 0xFFFF - withZeroPayload;                      // payload word that completes 0xFFFF
        byte[] f = build(t, new byte[] {(byte) (word >>> 8), (byte) word});
        assertEquals((byte) 0xFF, f[40]);
        assertEquals((byte) 0xFF, f[41]);
        ParsedFrame out = new ParsedFrame();
        FrameParser parser = new FrameParser();
        assertEquals(true, parser.parse(MemorySegment.ofArray(f), 0, f.length, out));
    }

    @Test
    void ofPicksTheFamily() throws Exception {
        FrameTemplate t4 = FrameTemplate.of(MAC_A, MAC_B, new InetSocketAddress("10.0.0.1", 1),
                new InetSocketAddress("10.0.0.2", 2));
        assertEquals(4, t4.ipVersion());
        FrameTemplate t6 = FrameTemplate.of(MAC_A, MAC_B, new InetSocketAddress("::1", 1),
                new InetSocketAddress("::1", 2));
        assertEquals(6, t6.ipVersion());
        assertThrows(IllegalArgumentException.class, () -> FrameTemplate.of(MAC_A, MAC_B,
                new InetSocketAddress("10.0.0.1", 1), new InetSocketAddress("::1", 2)));
        assertEquals(0x020000000001L, t4.srcMac());
        assertEquals(0x020000000002L, t4.dstMac());
        assertEquals(1472, t4.maxPayload(1500));
        assertEquals(1452, t6.maxPayload(1500));
        assertEquals(65507, t4.maxPayload(65536));
    }

    @Test
    void rejectsBadArguments() throws Exception {
        assertThrows(IllegalArgumentException.class,
                () -> FrameTemplate.ipv4(new byte[5], MAC_B, v4("10.0.0.1"), 1, v4("10.0.0.2"), 2));
        assertThrows(IllegalArgumentException.class,
                () -> FrameTemplate.ipv4(MAC_A, MAC_B, v4("10.0.0.1"), 65536, v4("10.0.0.2"), 2));
        FrameTemplate t = templateAtoB();
        MemorySegment big = MemorySegment.ofArray(new byte[70000]);
        assertThrows(IllegalArgumentException.class, () -> t.writeHeaders(big, 0, 65508));
        t.writeHeaders(big, 0, 65507);
        assertThrows(IllegalArgumentException.class, () -> t.writeHeaders(big, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> t.writeHeaders(MemorySegment.ofArray(new byte[41]), 0, 0));
    }
}
