package io.tux.xdp.frame;

/** Why {@link FrameParser#parse} rejected a frame; each has its own counter in the parser. */
public enum DropReason {
    /** The frame ends before a header it must hold, or before the end the IP length gives. */
    TRUNCATED,
    /** The EtherType is neither IPv4 nor IPv6 (this includes VLAN-tagged frames). */
    NOT_IP,
    /** The IP version does not match the EtherType, or the IPv4 IHL is below 5. */
    BAD_IP_HEADER,
    /** The IP length is smaller than the IP and UDP headers it must cover. */
    BAD_IP_LENGTH,
    /** An IPv4 fragment (MF set or non-zero offset) or an IPv6 fragment header: Tux never fragments at IP. */
    IP_FRAGMENT,
    /** The IPv4 header checksum does not verify. */
    BAD_IP_CHECKSUM,
    /** Not UDP (for IPv6: the next header is not UDP, extension headers are not followed). */
    NOT_UDP,
    /** The UDP length is below 8 or differs from the length the IP header leaves for it. */
    BAD_UDP_LENGTH,
    /** The UDP checksum does not verify, or is zero on IPv6 where it is mandatory. */
    BAD_UDP_CHECKSUM
}
