package io.tux.xdp.frame;

import static io.tux.xdp.frame.FrameTemplate.BE_SHORT;
import static io.tux.xdp.frame.FrameTemplate.ETHERNET_HEADER;
import static io.tux.xdp.frame.FrameTemplate.ETHERTYPE_IPV4;
import static io.tux.xdp.frame.FrameTemplate.ETHERTYPE_IPV6;
import static io.tux.xdp.frame.FrameTemplate.IPV4_HEADER;
import static io.tux.xdp.frame.FrameTemplate.IPV6_HEADER;
import static io.tux.xdp.frame.FrameTemplate.PROTOCOL_UDP;
import static io.tux.xdp.frame.FrameTemplate.UDP_HEADER;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Validates a received Ethernet frame carrying IPv4/UDP or IPv6/UDP and reports where its UDP payload (the Tux
 * packet) lies, without allocating.
 *
 * <p>Checks, in order: the frame holds an Ethernet header; EtherType IPv4 or IPv6; IP version matches; IPv4 IHL
 * at least 5 (options are skipped); the IP length covers the IP and UDP headers and fits the frame (Ethernet
 * padding after it is ignored); no IPv4 fragment (MF or offset) and no IPv6 fragment header; the IPv4 header
 * checksum; protocol UDP (IPv6 extension headers are not followed); UDP length equal to what the IP header
 * leaves; the UDP checksum over pseudo-header, header and payload when non-zero (a zero checksum is accepted on
 * IPv4 only; see {@link #FrameParser(boolean)} to skip this check). A rejected frame increments the counter of its {@link DropReason}. The parser does not check
 * that the frame is addressed to this host (MAC, IP, port): the link does that when it maps the frame to a
 * route.
 *
 * <p>Threading: one parser per network thread. The counters are written only by that thread (opaque stores)
 * and may be read from any thread (opaque loads): each counter is monotonic, with no ordering between counters.
 */
public final class FrameParser {

    private static final ValueLayout.OfInt BE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final VarHandle COUNTERS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final DropReason[] REASONS = DropReason.values();
    private static final int IPV6_FRAGMENT_HEADER = 44;

    /** Per-reason drop counters: written by the parsing thread (setOpaque), read by anyone (getOpaque). */
    private final long[] drops = new long[REASONS.length];
    /** Accepted frames: written by the parsing thread (setOpaque), read by anyone (getOpaque). */
    private final long[] accepted = new long[1];
    /** Reason of the last rejection; written and read by the parsing thread only (for tests and logging). */
    private DropReason lastDrop;
    private final boolean verifyUdpChecksum;

    /** A parser that verifies UDP checksums. */
    public FrameParser() {
        this(true);
    }

    /**
     * A parser that verifies UDP checksums only if {@code verifyUdpChecksum}. Turning it off saves a pass over
     * each payload and accepts frames whose checksum the kernel left unfinished: on veth a frame sent by the
     * kernel's own UDP stack crosses the pair as CHECKSUM_PARTIAL, its checksum field holding only the
     * pseudo-header sum, and that is what an XDP program or AF_XDP socket on the peer sees. Frames written by
     * {@link FrameTemplate#write} always carry a full checksum. Every other check still applies.
     */
    public FrameParser(boolean verifyUdpChecksum) {
        this.verifyUdpChecksum = verifyUdpChecksum;
    }

    /** Whether this parser verifies UDP checksums. */
    public boolean verifiesUdpChecksum() {
        return verifyUdpChecksum;
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code offset}; see {@link InternetChecksum}. */
    public static int checksum(MemorySegment segment, long offset, int length) {
        return InternetChecksum.checksum(segment, offset, length);
    }

    /**
     * Parses the frame of {@code length} bytes at {@code offset} in {@code segment} into {@code out}.
     *
     * @return true if it is a well-formed IPv4/UDP or IPv6/UDP frame; false (with its reason counted) otherwise,
     *     in which case {@code out} holds garbage
     * @throws IndexOutOfBoundsException if {@code offset}/{@code length} lie outside the segment (a caller bug,
     *     not a malformed frame)
     */
    public boolean parse(MemorySegment segment, long offset, int length, ParsedFrame out) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (length < ETHERNET_HEADER) {
            return drop(DropReason.TRUNCATED);
        }
        int etherType = Short.toUnsignedInt(segment.get(BE_SHORT, offset + 12));
        if (etherType == ETHERTYPE_IPV4) {
            return parseIpv4(segment, offset, length, out);
        }
        if (etherType == ETHERTYPE_IPV6) {
            return parseIpv6(segment, offset, length, out);
        }
        return drop(DropReason.NOT_IP);
    }

    private boolean parseIpv4(MemorySegment s, long frame, int length, ParsedFrame out) {
        if (length < ETHERNET_HEADER + IPV4_HEADER) {
            return drop(DropReason.TRUNCATED);
        }
        long ip = frame + ETHERNET_HEADER;
        int versionIhl = s.get(ValueLayout.JAVA_BYTE, ip) & 0xFF;
        int ihl = (versionIhl & 0x0F) * 4;
        if (versionIhl >>> 4 != 4 || ihl < IPV4_HEADER) {
            return drop(DropReason.BAD_IP_HEADER);
        }
        int totalLength = Short.toUnsignedInt(s.get(BE_SHORT, ip + 2));
        if (totalLength < ihl + UDP_HEADER) {
            return drop(DropReason.BAD_IP_LENGTH);
        }
        if (ETHERNET_HEADER + totalLength > length) {
            return drop(DropReason.TRUNCATED);
        }
        int fragment = Short.toUnsignedInt(s.get(BE_SHORT, ip + 6));
        if ((fragment & 0x3FFF) != 0) { // MF flag or a non-zero fragment offset
            return drop(DropReason.IP_FRAGMENT);
        }
        if (InternetChecksum.fold(InternetChecksum.add(0, s, ip, ihl)) != 0xFFFF) {
            return drop(DropReason.BAD_IP_CHECKSUM);
        }
        if ((s.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xFF) != PROTOCOL_UDP) {
            return drop(DropReason.NOT_UDP);
        }
        long udp = ip + ihl;
        int udpLength = Short.toUnsignedInt(s.get(BE_SHORT, udp + 4));
        if (udpLength != totalLength - ihl) {
            return drop(DropReason.BAD_UDP_LENGTH);
        }
        int srcIp = s.get(BE_INT, ip + 12);
        int dstIp = s.get(BE_INT, ip + 16);
        int udpChecksum = Short.toUnsignedInt(s.get(BE_SHORT, udp + 6));
        if (udpChecksum != 0 && verifyUdpChecksum) {
            long sum = InternetChecksum.add(0, s, ip + 12, 8) + PROTOCOL_UDP + udpLength;
            if (InternetChecksum.fold(InternetChecksum.add(sum, s, udp, udpLength)) != 0xFFFF) {
                return drop(DropReason.BAD_UDP_CHECKSUM);
            }
        }
        out.ipVersion = 4;
        out.srcIp = srcIp;
        out.dstIp = dstIp;
        out.udpChecksumPresent = udpChecksum != 0;
        return accept(s, frame, udp, udpLength, out);
    }

    private boolean parseIpv6(MemorySegment s, long frame, int length, ParsedFrame out) {
        if (length < ETHERNET_HEADER + IPV6_HEADER) {
            return drop(DropReason.TRUNCATED);
        }
        long ip = frame + ETHERNET_HEADER;
        if ((s.get(ValueLayout.JAVA_BYTE, ip) & 0xF0) != 0x60) {
            return drop(DropReason.BAD_IP_HEADER);
        }
        int payloadLength = Short.toUnsignedInt(s.get(BE_SHORT, ip + 4));
        if (payloadLength < UDP_HEADER) {
            return drop(DropReason.BAD_IP_LENGTH); // also rejects jumbograms (payload length 0)
        }
        if (ETHERNET_HEADER + IPV6_HEADER + payloadLength > length) {
            return drop(DropReason.TRUNCATED);
        }
        int nextHeader = s.get(ValueLayout.JAVA_BYTE, ip + 6) & 0xFF;
        if (nextHeader == IPV6_FRAGMENT_HEADER) {
            return drop(DropReason.IP_FRAGMENT);
        }
        if (nextHeader != PROTOCOL_UDP) {
            return drop(DropReason.NOT_UDP);
        }
        long udp = ip + IPV6_HEADER;
        int udpLength = Short.toUnsignedInt(s.get(BE_SHORT, udp + 4));
        if (udpLength != payloadLength) {
            return drop(DropReason.BAD_UDP_LENGTH);
        }
        if (s.get(BE_SHORT, udp + 6) == 0) {
            return drop(DropReason.BAD_UDP_CHECKSUM); // mandatory on IPv6 (RFC 8200, 8.1)
        }
        if (verifyUdpChecksum) {
            long sum = InternetChecksum.add(0, s, ip + 8, 32) + PROTOCOL_UDP + udpLength;
            if (InternetChecksum.fold(InternetChecksum.add(sum, s, udp, udpLength)) != 0xFFFF) {
                return drop(DropReason.BAD_UDP_CHECKSUM);
            }
        }
        out.ipVersion = 6;
        out.srcIp = 0;
        out.dstIp = 0;
        out.srcIpHigh = s.get(BE_LONG, ip + 8);
        out.srcIpLow = s.get(BE_LONG, ip + 16);
        out.dstIpHigh = s.get(BE_LONG, ip + 24);
        out.dstIpLow = s.get(BE_LONG, ip + 32);
        out.udpChecksumPresent = true;
        return accept(s, frame, udp, udpLength, out);
    }

    private boolean accept(MemorySegment s, long frame, long udp, int udpLength, ParsedFrame out) {
        out.dstMac = s.get(BE_LONG, frame) >>> 16;
        out.srcMac = (s.get(BE_LONG, frame + 4)) & 0xFFFF_FFFF_FFFFL;
        out.srcPort = Short.toUnsignedInt(s.get(BE_SHORT, udp));
        out.dstPort = Short.toUnsignedInt(s.get(BE_SHORT, udp + 2));
        out.payloadOffset = udp + UDP_HEADER;
        out.payloadLength = udpLength - UDP_HEADER;
        COUNTERS.setOpaque(accepted, 0, (long) COUNTERS.getOpaque(accepted, 0) + 1);
        return true;
    }

    private boolean drop(DropReason reason) {
        int i = reason.ordinal();
        COUNTERS.setOpaque(drops, i, (long) COUNTERS.getOpaque(drops, i) + 1);
        lastDrop = reason;
        return false;
    }

    /** Frames rejected for {@code reason} so far. Any thread. */
    public long drops(DropReason reason) {
        return (long) COUNTERS.getOpaque(drops, reason.ordinal());
    }

    /** Frames rejected for any reason so far. Any thread. */
    public long totalDrops() {
        long total = 0;
        for (DropReason r : REASONS) {
            total += drops(r);
        }
        return total;
    }

    /** Frames accepted so far. Any thread. */
    public long accepted() {
        return (long) COUNTERS.getOpaque(accepted, 0);
    }

    /** The reason of the most recent rejection, or null if none yet. Parsing thread only. */
    public DropReason lastDrop() {
        return lastDrop;
    }
}
