/**
 * Ethernet/IPv4/UDP and Ethernet/IPv6/UDP frames over {@link java.lang.foreign.MemorySegment} for the AF_XDP
 * link: {@link io.tux.xdp.frame.FrameTemplate} writes the headers of one route in front of a Tux packet,
 * {@link io.tux.xdp.frame.FrameParser} validates received frames into a reused
 * {@link io.tux.xdp.frame.ParsedFrame}, {@link io.tux.xdp.frame.InternetChecksum} is RFC 1071. Nothing here
 * allocates per packet.
 */
package io.tux.xdp.frame;
