package io.tux.xdp.frame;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The result of one {@link FrameParser#parse} call: addresses, ports and where the UDP payload lies. Reused from
 * packet to packet so that parsing allocates nothing; only valid after a {@code parse} that returned true, and
 * only until the next {@code parse} into the same object.
 *
 * <p>IPv4 addresses are ints (first byte most significant); IPv6 addresses are two longs each (high and low 64
 * bits). MAC addresses are the low 48 bits of a long.
 *
 * <p>Threading: not thread-safe; owned by the thread that parses (the link's network thread).
 */
public final class ParsedFrame {

    int ipVersion;
    long srcMac;
    long dstMac;
    int srcIp;
    int dstIp;
    long srcIpHigh;
    long srcIpLow;
    long dstIpHigh;
    long dstIpLow;
    int srcPort;
    int dstPort;
    long payloadOffset;
    int payloadLength;
    boolean udpChecksumPresent;

    /** 4 or 6. */
    public int ipVersion() {
        return ipVersion;
    }

    public long srcMac() {
        return srcMac;
    }

    public long dstMac() {
        return dstMac;
    }

    /** IPv4 source address, first byte most significant (IPv4 only). */
    public int srcIp() {
        return srcIp;
    }

    /** IPv4 destination address, first byte most significant (IPv4 only). */
    public int dstIp() {
        return dstIp;
    }

    /** High 64 bits of the IPv6 source address (IPv6 only). */
    public long srcIpHigh() {
        return srcIpHigh;
    }

    /** Low 64 bits of the IPv6 source address (IPv6 only). */
    public long srcIpLow() {
        return srcIpLow;
    }

    /** High 64 bits of the IPv6 destination address (IPv6 only). */
    public long dstIpHigh() {
        return dstIpHigh;
    }

    /** Low 64 bits of the IPv6 destination address (IPv6 only). */
    public long dstIpLow() {
        return dstIpLow;
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    /** Offset of the UDP payload in the parsed segment (absolute, not relative to the frame). */
    public long payloadOffset() {
        return payloadOffset;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** False for an IPv4 datagram sent without UDP checksum (field zero); such a payload was not verified. */
    public boolean udpChecksumPresent() {
        return udpChecksumPresent;
    }

    /**
     * The IPv4 flow key of this frame seen from the receiver: source address, source port and destination port
     * packed into one long (see {@link #ipv4FlowKey(int, int, int)}), for finding the route of a received packet
     * without allocation. IPv4 only. The destination address is not part of it.
     */
    public long ipv4FlowKey() {
        return ipv4FlowKey(srcIp, srcPort, dstPort);
    }

    /**
     * Packs a remote IPv4 address (first byte most significant), the remote port and the local port into one
     * long: {@code remoteIp << 32 | remotePort << 16 | localPort}. A link registers a route under the key of its
     * (remote, local) pair and finds it again from {@link #ipv4FlowKey()} of each received frame.
     */
    public static long ipv4FlowKey(int remoteIp, int remotePort, int localPort) {
        return (long) remoteIp << 32 | (long) (remotePort & 0xFFFF) << 16 | (localPort & 0xFFFF);
    }

    /** The source address as an object; allocates, for diagnostics and route set-up, not the hot path. */
    public InetAddress srcAddress() {
        return ipVersion == 4 ? v4(srcIp) : v6(srcIpHigh, srcIpLow);
    }

    /** The destination address as an object; allocates, for diagnostics and route set-up, not the hot path. */
    public InetAddress dstAddress() {
        return ipVersion == 4 ? v4(dstIp) : v6(dstIpHigh, dstIpLow);
    }

    private static InetAddress v4(int ip) {
        return of(new byte[] {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip});
    }

    private static InetAddress v6(long high, long low) {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (high >>> (56 - 8 * i));
            b[8 + i] = (byte) (low >>> (56 - 8 * i));
        }
        return of(b);
    }

    private static InetAddress of(byte[] b) {
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong array length
        }
    }

    @Override
    public String toString() {
        return "ParsedFrame[IPv" + ipVersion + " " + srcAddress().getHostAddress() + ":" + srcPort + " -> "
                + dstAddress().getHostAddress() + ":" + dstPort + ", payload " + payloadLength + " bytes at "
                + payloadOffset + "]";
    }
}
