package io.tux.xdp.link;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The link's own Ethernet/IPv4/UDP framing and its route table, over ordinary memory. */
class UdpFramesTest {

    @Test
    void ipv4ChecksumOfAKnownHeader() {
        // 192.168.0.1 -> 192.168.0.199, UDP, total length 0x73: checksum 0xb861.
        byte[] h = HexFormat.of().parseHex("450000730000400040110000c0a80001c0a800c7");
        assertEquals(0xb861, UdpFrames.ipChecksum(MemorySegment.ofArray(h), 0));
    }

    @Test
    void writtenHeadersAreExactAndParseBack() {
        byte[] dstMac = {2, 0, 0, 0, 0, 0x0b};
        byte[] srcMac = {2, 0, 0, 0, 0, 0x0a};
        byte[] t = UdpFrames.template(dstMac, srcMac, new byte[] {10, 77, 0, 1}, 7001, new byte[] {10, 77, 0, 2}, 7002);
        MemorySegment frame = MemorySegment.ofArray(new byte[100]);
        UdpFrames.writeHeaders(frame, 10, t, 20);
        byte[] headers = frame.asSlice(10, 42).toArray(ValueLayout.JAVA_BYTE);
        int checksum = UdpFrames.ipChecksum(MemorySegment.ofArray(headers), 14);
        byte[] expected = HexFormat.of().parseHex(
                "02000000000b" + "02000000000a" + "0800"
                        + "4500" + "0030" + "0000" + "4000" + "4011" + String.format("%04x", checksum)
                        + "0a4d0001" + "0a4d0002"
                        + "1b59" + "1b5a" + "001c" + "0000");
        assertArrayEquals(expected, headers);
        // Sum over the header including its checksum folds to 0xffff.
        int sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += ((headers[14 + i] & 0xff) << 8) | (headers[15 + i] & 0xff);
        }
        sum = (sum & 0xffff) + (sum >>> 16);
        assertEquals(0xffff, sum);

        UdpFrames.Parsed p = new UdpFrames.Parsed();
        assertTrue(UdpFrames.parse(frame, 10, 62, p));
        assertEquals(0x0a4d0001, p.srcIp);
        assertEquals(0x0a4d0002, p.dstIp);
        assertEquals(7001, p.srcPort);
        assertEquals(7002, p.dstPort);
        assertEquals(52, p.payloadOffset);
        assertEquals(20, p.payloadLength);
    }

    @Test
    void parseRejectsWhatIsNotPlainIpv4Udp() {
        byte[] t = UdpFrames.template(new byte[6], new byte[6], new byte[] {1, 2, 3, 4}, 1, new byte[] {5, 6, 7, 8}, 2);
        UdpFrames.Parsed p = new UdpFrames.Parsed();
        MemorySegment f = MemorySegment.ofArray(new byte[64]);
        UdpFrames.writeHeaders(f, 0, t, 10);
        assertTrue(UdpFrames.parse(f, 0, 52, p));
        assertFalse(UdpFrames.parse(f, 0, 51, p), "frame shorter than the IP total length");
        f.set(ValueLayout.JAVA_BYTE, 24, (byte) 65);
        assertFalse(UdpFrames.parse(f, 0, 52, p), "bad header checksum");
        UdpFrames.writeHeaders(f, 0, t, 10);
        f.set(ValueLayout.JAVA_BYTE, 20, (byte) 0x20); // more fragments
        assertFalse(UdpFrames.parse(f, 0, 52, p), "fragment");
        UdpFrames.writeHeaders(f, 0, t, 10);
        f.set(ValueLayout.JAVA_BYTE, 12, (byte) 0x86);
        f.set(ValueLayout.JAVA_BYTE, 13, (byte) 0xdd);
        assertFalse(UdpFrames.parse(f, 0, 52, p), "not IPv4");
    }

    @Test
    void routeTableFindsRoutesByAddressesAndForgetsClosedOnes() {
        RouteTable t = RouteTable.EMPTY;
        assertEquals(-1, t.lookup(1, 2, 3, 4));
        for (int r = 0; r < 100; r++) {
            assertEquals(r, t.freeRoute());
            t = t.with(r, new byte[42], 0x0a000000 + r, 7000 + r, 0x0a0000ff, 9000);
        }
        for (int r = 0; r < 100; r++) {
            assertEquals(r, t.lookup(0x0a000000 + r, 7000 + r, 0x0a0000ff, 9000));
        }
        assertEquals(-1, t.lookup(0x0a000000 + 5, 7006, 0x0a0000ff, 9000), "port mismatch");
        RouteTable closed = t.with(5, null, 0, 0, 0, 0);
        assertEquals(-1, closed.lookup(0x0a000005, 7005, 0x0a0000ff, 9000));
        assertEquals(5, closed.freeRoute());
        assertEquals(6, closed.lookup(0x0a000006, 7006, 0x0a0000ff, 9000));
        assertEquals(5, t.lookup(0x0a000005, 7005, 0x0a0000ff, 9000), "old snapshot unchanged");
    }
}
