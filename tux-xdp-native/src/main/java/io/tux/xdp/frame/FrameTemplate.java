package io.tux.xdp.frame;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The precomputed Ethernet, IP and UDP headers of one route (source MAC, destination MAC, source IP and port,
 * destination IP and port), written in front of each outgoing Tux packet without allocation.
 *
 * <p>Layout written at {@code offset}: Ethernet II (14 bytes), then an IPv4 header without options (20 bytes,
 * DF set, TTL 64, protocol UDP) or an IPv6 header (40 bytes, hop limit 64, next header UDP), then the UDP header
 * (8 bytes). The UDP payload (the Tux packet) starts at {@code offset + headerLength()}.
 *
 * <p>Checksums: the IPv4 header checksum is completed from a partial sum of the constant header words computed
 * once here; only the total length and the identification are added per packet. The UDP checksum is
 * completed from a precomputed pseudo-header and port sum plus the sum over the payload, so the payload must
 * be in place before it is computed:
 * <ul>
 *   <li>{@link #write} writes all headers including the UDP checksum; the payload must <em>already</em> be
 *       in the frame.</li>
 *   <li>{@link #writeHeaders} writes all headers with a zero UDP checksum and may be called before the
 *       payload is written; {@link #writeUdpChecksum} then fills in the UDP checksum once the payload is in
 *       place. For IPv4 a zero UDP checksum means "no checksum" (RFC 768), so a frame from
 *       {@code writeHeaders} alone is valid; for IPv6 the checksum is mandatory (RFC 8200) and
 *       {@code writeUdpChecksum} must follow.</li>
 * </ul>
 *
 * <p>The IPv4 identification counts up from 0 by one per written frame (with DF set the field only has to be
 * unique enough for duplicate detection, RFC 6864).
 *
 * <p>Threading: not thread-safe. The identification counter is a plain field written by the single thread
 * that writes frames for this route (the link's network thread). Everything else is immutable after
 * construction.
 */
public final class FrameTemplate {

    /** Ethernet II header length. */
    public static final int ETHERNET_HEADER = 14;
    /** IPv4 header length without options. */
    public static final int IPV4_HEADER = 20;
    /** IPv6 fixed header length. */
    public static final int IPV6_HEADER = 40;
    /** UDP header length. */
    public static final int UDP_HEADER = 8;
    /** EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** EtherType of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IP protocol number of UDP. */
    public static final int PROTOCOL_UDP = 17;
    /** TTL (IPv4) and hop limit (IPv6) of every frame. */
    public static final int TTL = 64;

    static final ValueLayout.OfShort BE_SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final int IPV4_FLAGS_DF = 0x4000;

    private final MemorySegment header;   // immutable template bytes, headerLength long, variable fields zero
    private final int ipVersion;
    private final int headerLength;
    private final int ipLengthOffset;     // IPv4 total length or IPv6 payload length
    private final int udpOffset;
    private final long ipPartialSum;      // IPv4 only: sum of the constant header words
    private final long udpPartialSum;     // pseudo-header addresses and protocol, plus the two ports
    private final int srcPort;
    private final int dstPort;
    private final InetAddress srcAddress;
    private final InetAddress dstAddress;
    private final long srcMac;
    private final long dstMac;

    /** Next IPv4 identification; written and read only by the thread writing frames (see class comment). */
    private int identification;

    private FrameTemplate(byte[] bytes, int ipVersion, int ipLengthOffset, int udpOffset, long ipPartialSum,
                          long udpPartialSum, InetAddress src, int srcPort, InetAddress dst, int dstPort) {
        this.header = MemorySegment.ofArray(bytes);
        this.ipVersion = ipVersion;
        this.headerLength = bytes.length;
        this.ipLengthOffset = ipLengthOffset;
        this.udpOffset = udpOffset;
        this.ipPartialSum = ipPartialSum;
        this.udpPartialSum = udpPartialSum;
        this.srcAddress = src;
        this.srcPort = srcPort;
        this.dstAddress = dst;
        this.dstPort = dstPort;
        this.dstMac = macToLong(bytes, 0);
        this.srcMac = macToLong(bytes, 6);
    }

    /** The template for IPv4/UDP from {@code src:srcPort} to {@code dst:dstPort}. */
    public static FrameTemplate ipv4(byte[] srcMac, byte[] dstMac, Inet4Address src, int srcPort,
                                     Inet4Address dst, int dstPort) {
        checkMac(srcMac, "srcMac");
        checkMac(dstMac, "dstMac");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        checkPort(srcPort, "srcPort");
        checkPort(dstPort, "dstPort");
        int ip = ETHERNET_HEADER;
        int udp = ip + IPV4_HEADER;
        byte[] b = new byte[udp + UDP_HEADER];
        writeEthernet(b, srcMac, dstMac, ETHERTYPE_IPV4);
        b[ip] = 0x45;                               // version 4, IHL 5
        putShort(b, ip + 6, IPV4_FLAGS_DF);          // flags DF, fragment offset 0
        b[ip + 8] = (byte) TTL;
        b[ip + 9] = (byte) PROTOCOL_UDP;
        System.arraycopy(src.getAddress(), 0, b, ip + 12, 4);
        System.arraycopy(dst.getAddress(), 0, b, ip + 16, 4);
        putShort(b, udp, srcPort);
        putShort(b, udp + 2, dstPort);
        MemorySegment s = MemorySegment.ofArray(b);
        long ipSum = InternetChecksum.add(0, s, ip, IPV4_HEADER);          // length, id, checksum still zero
        long udpSum = InternetChecksum.add(0, s, ip + 12, 8) + PROTOCOL_UDP // pseudo-header addresses, protocol
                + srcPort + dstPort;
        return new FrameTemplate(b, 4, ip + 2, udp, ipSum, udpSum, src, srcPort, dst, dstPort);
    }

    /** The template for IPv6/UDP from {@code src:srcPort} to {@code dst:dstPort} (traffic class and flow label 0). */
    public static FrameTemplate ipv6(byte[] srcMac, byte[] dstMac, Inet6Address src, int srcPort,
                                     Inet6Address dst, int dstPort) {
        checkMac(srcMac, "srcMac");
        checkMac(dstMac, "dstMac");
        Objects.requireNonNull(src, "src");
        Objects.requireNonNull(dst, "dst");
        checkPort(srcPort, "srcPort");
        checkPort(dstPort, "dstPort");
        int ip = ETHERNET_HEADER;
        int udp = ip + IPV6_HEADER;
        byte[] b = new byte[udp + UDP_HEADER];
        writeEthernet(b, srcMac, dstMac, ETHERTYPE_IPV6);
        b[ip] = 0x60;                                // version 6, traffic class 0, flow label 0
        b[ip + 6] = (byte) PROTOCOL_UDP;             // next header
        b[ip + 7] = (byte) TTL;                      // hop limit
        System.arraycopy(src.getAddress(), 0, b, ip + 8, 16);
        System.arraycopy(dst.getAddress(), 0, b, ip + 24, 16);
        putShort(b, udp, srcPort);
        putShort(b, udp + 2, dstPort);
        MemorySegment s = MemorySegment.ofArray(b);
        long udpSum = InternetChecksum.add(0, s, ip + 8, 32) + PROTOCOL_UDP + srcPort + dstPort;
        return new FrameTemplate(b, 6, ip + 4, udp, 0, udpSum, src, srcPort, dst, dstPort);
    }

    /**
     * The template for the UDP address pair {@code local -> remote}, IPv4 or IPv6 after their address family
     * (both must be the same family and resolved).
     */
    public static FrameTemplate of(byte[] srcMac, byte[] dstMac, InetSocketAddress local, InetSocketAddress remote) {
        InetAddress l = local.getAddress();
        InetAddress r = remote.getAddress();
        if (l == null || r == null) {
            throw new IllegalArgumentException("unresolved address: " + local + " -> " + remote);
        }
        if (l instanceof Inet4Address l4 && r instanceof Inet4Address r4) {
            return ipv4(srcMac, dstMac, l4, local.getPort(), r4, remote.getPort());
        }
        if (l instanceof Inet6Address l6 && r instanceof Inet6Address r6) {
            return ipv6(srcMac, dstMac, l6, local.getPort(), r6, remote.getPort());
        }
        throw new IllegalArgumentException("address families differ: " + local + " -> " + remote);
    }

    /** Bytes before the UDP payload: 42 for IPv4, 62 for IPv6. */
    public int headerLength() {
        return headerLength;
    }

    /** 4 or 6. */
    public int ipVersion() {
        return ipVersion;
    }

    /** The whole frame length for a payload of {@code payloadLength} bytes. */
    public int frameLength(int payloadLength) {
        return headerLength + payloadLength;
    }

    /** The largest UDP payload that fits an IP MTU of {@code mtu} bytes (the MTU excludes the Ethernet header). */
    public int maxPayload(int mtu) {
        return Math.min(mtu, 0xFFFF) - (headerLength - ETHERNET_HEADER);
    }

    public int srcPort() {
        return srcPort;
    }

    public int dstPort() {
        return dstPort;
    }

    public InetAddress srcAddress() {
        return srcAddress;
    }

    public InetAddress dstAddress() {
        return dstAddress;
    }

    /** Source MAC as the low 48 bits of a long, first byte most significant. */
    public long srcMac() {
        return srcMac;
    }

    /** Destination MAC as the low 48 bits of a long, first byte most significant. */
    public long dstMac() {
        return dstMac;
    }

    /**
     * Writes every header, including the UDP checksum, in front of a payload of {@code payloadLength} bytes that
     * is <em>already</em> at {@code offset + headerLength()}.
     */
    public void write(MemorySegment frame, long offset, int payloadLength) {
        writeHeaders(frame, offset, payloadLength);
        writeUdpChecksum(frame, offset, payloadLength);
    }

    /**
     * Writes every header with a zero UDP checksum; the payload may be written before or after. For IPv4 the
     * result is a valid frame without UDP checksum; call {@link #writeUdpChecksum} once the payload is in place
     * to add one (mandatory for IPv6).
     *
     * @throws IllegalArgumentException if the payload cannot fit one IP packet
     * @throws IndexOutOfBoundsException if the frame does not fit the segment
     */
    public void writeHeaders(MemorySegment frame, long offset, int payloadLength) {
        int udpLength = UDP_HEADER + payloadLength;
        int ipLength = ipVersion == 4 ? IPV4_HEADER + udpLength : udpLength;
        if (payloadLength < 0 || ipLength > 0xFFFF) {
            throw new IllegalArgumentException("payload length out of range: " + payloadLength);
        }
        MemorySegment.copy(header, 0, frame, offset, headerLength);
        frame.set(BE_SHORT, offset + ipLengthOffset, (short) ipLength);
        if (ipVersion == 4) {
            int id = identification & 0xFFFF;
            identification = id + 1;
            frame.set(BE_SHORT, offset + ETHERNET_HEADER + 4, (short) id);
            int checksum = InternetChecksum.finish(ipPartialSum + ipLength + id);
            frame.set(BE_SHORT, offset + ETHERNET_HEADER + 10, (short) checksum);
        }
        frame.set(BE_SHORT, offset + udpOffset + 4, (short) udpLength);
    }

    /**
     * Computes and stores the UDP checksum of a frame whose headers were written by {@link #writeHeaders} for the
     * same {@code payloadLength} and whose payload is in place. A computed zero is sent as 0xFFFF (RFC 768).
     */
    public void writeUdpChecksum(MemorySegment frame, long offset, int payloadLength) {
        int udpLength = UDP_HEADER + payloadLength;
        long sum = udpPartialSum + udpLength + udpLength; // pseudo-header length and UDP header length
        sum = InternetChecksum.add(sum, frame, offset + headerLength, payloadLength);
        int checksum = InternetChecksum.finish(sum);
        frame.set(BE_SHORT, offset + udpOffset + 6, (short) (checksum == 0 ? 0xFFFF : checksum));
    }

    /** Next IPv4 identification that {@link #writeHeaders} will use (for tests and diagnostics). */
    public int nextIdentification() {
        return identification & 0xFFFF;
    }

    @Override
    public String toString() {
        return "FrameTemplate[IPv" + ipVersion + " " + MacAddress.format(srcMac) + " -> " + MacAddress.format(dstMac)
                + ", " + srcAddress.getHostAddress() + ":" + srcPort + " -> " + dstAddress.getHostAddress() + ":"
                + dstPort + "]";
    }

    private static void writeEthernet(byte[] b, byte[] srcMac, byte[] dstMac, int etherType) {
        System.arraycopy(dstMac, 0, b, 0, 6);
        System.arraycopy(srcMac, 0, b, 6, 6);
        putShort(b, 12, etherType);
    }

    private static void putShort(byte[] b, int at, int value) {
        b[at] = (byte) (value >>> 8);
        b[at + 1] = (byte) value;
    }

    private static long macToLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }

    private static void checkMac(byte[] mac, String name) {
        Objects.requireNonNull(mac, name);
        if (mac.length != 6) {
            throw new IllegalArgumentException(name + " must be 6 bytes, got " + mac.length);
        }
    }

    private static void checkPort(int port, String name) {
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException(name + " out of range: " + port);
        }
    }
}
