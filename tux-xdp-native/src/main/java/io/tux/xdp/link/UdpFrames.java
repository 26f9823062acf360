package io.tux.xdp.link;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The link's own minimal Ethernet + IPv4 + UDP framing: writes a route's 42-byte header template in front of
 * a Tux packet (IPv4 header checksum computed, UDP checksum 0, which IPv4 allows) and parses received frames.
 * Kept in this one class so that it can be swapped for the shared io.tux.xdp.frame code later.
 *
 * <p>Threading: stateless static methods, except {@link Parsed}, which belongs to one network thread.
 */
final class UdpFrames {

    private UdpFrames() {}

    static final int ETH = 14;
    static final int IP = 20;
    static final int UDP = 8;
    /** Bytes in front of the Tux packet. */
    static final int HEADERS = ETH + IP + UDP;

    private static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * A 42-byte header template for frames from {@code srcMac}/{@code srcIp}:{@code srcPort} to
     * {@code dstMac}/{@code dstIp}:{@code dstPort}; lengths and checksum are filled per packet.
     */
    static byte[] template(byte[] dstMac, byte[] srcMac, byte[] srcIp, int srcPort, byte[] dstIp, int dstPort) {
        byte[] t = new byte[HEADERS];
        System.arraycopy(dstMac, 0, t, 0, 6);
        System.arraycopy(srcMac, 0, t, 6, 6);
        t[12] = 0x08; // EtherType IPv4
        t[13] = 0x00;
        t[ETH] = 0x45; // version 4, IHL 5
        t[ETH + 6] = 0x40; // don't fragment
        t[ETH + 8] = 64; // TTL
        t[ETH + 9] = 17; // UDP
        System.arraycopy(srcIp, 0, t, ETH + 12, 4);
        System.arraycopy(dstIp, 0, t, ETH + 16, 4);
        t[ETH + IP] = (byte) (srcPort >>> 8);
        t[ETH + IP + 1] = (byte) srcPort;
        t[ETH + IP + 2] = (byte) (dstPort >>> 8);
        t[ETH + IP + 3] = (byte) dstPort;
        return t;
    }

    /** Writes {@code template} at {@code at} in {@code frame} for a Tux packet of {@code payload} bytes. */
    static void writeHeaders(MemorySegment frame, long at, byte[] template, int payload) {
        MemorySegment.copy(template, 0, frame, ValueLayout.JAVA_BYTE, at, HEADERS);
        long ip = at + ETH;
        frame.set(BE_SHORT, ip + 2, (short) (IP + UDP + payload));
        frame.set(BE_SHORT, ip + 10, (short) ipChecksum(frame, ip));
        frame.set(BE_SHORT, ip + IP + 4, (short) (UDP + payload));
    }

    /** The IPv4 header checksum of the 20-byte header at {@code ip}, with its checksum field taken as 0. */
    static int ipChecksum(MemorySegment frame, long ip) {
        int sum = 0;
        for (int i = 0; i < IP; i += 2) {
            if (i != 10) {
                sum += frame.get(BE_SHORT, ip + i) & 0xffff;
            }
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    /** Where {@link #parse} puts a frame's addresses; one per network thread, reused. */
    static final class Parsed {
        int srcIp;
        int dstIp;
        int srcPort;
        int dstPort;
        long payloadOffset;
        int payloadLength;
    }

    /**
     * Parses the Ethernet/IPv4/UDP frame of {@code len} bytes at {@code at}; fills {@code out} and returns
     * true when it is a well-formed unfragmented IPv4 UDP frame with a correct header checksum.
     */
    static boolean parse(MemorySegment frame, long at, int len, Parsed out) {
        if (len < HEADERS || frame.get(BE_SHORT, at + 12) != 0x0800) {
            return false;
        }
        long ip = at + ETH;
        int vihl = frame.get(ValueLayout.JAVA_BYTE, ip) & 0xff;
        int ihl = (vihl & 0x0f) * 4;
        if ((vihl >>> 4) != 4 || ihl < IP || len < ETH + ihl + UDP) {
            return false;
        }
        int total = frame.get(BE_SHORT, ip + 2) & 0xffff;
        if (total > len - ETH || total < ihl + UDP || frame.get(ValueLayout.JAVA_BYTE, ip + 9) != 17
                || (frame.get(BE_SHORT, ip + 6) & 0x3fff) != 0) {
            return false;
        }
        if (ihl == IP && ipChecksum(frame, ip) != (frame.get(BE_SHORT, ip + 10) & 0xffff)) {
            return false;
        }
        long udp = ip + ihl;
        int udpLen = frame.get(BE_SHORT, udp + 4) & 0xffff;
        if (udpLen < UDP || udpLen > total - ihl) {
            return false;
        }
        out.srcIp = frame.get(BE_INT, ip + 12);
        out.dstIp = frame.get(BE_INT, ip + 16);
        out.srcPort = frame.get(BE_SHORT, udp) & 0xffff;
        out.dstPort = frame.get(BE_SHORT, udp + 2) & 0xffff;
        out.payloadOffset = udp + UDP;
        out.payloadLength = udpLen - UDP;
        return true;
    }
}
