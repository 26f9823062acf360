package io.tux.core.link;

import java.lang.foreign.MemorySegment;

/** Receives the packets a {@link Link} polled; called on the network thread only. */
@FunctionalInterface
public interface PacketSink {

    /**
     * One received Tux packet (UDP payload) in {@code segment} at {@code offset}, {@code length} bytes long.
     * The bytes are valid only during this call.
     *
     * @param route the route registered for the packet's UDP source and destination, or {@link Link#NO_ROUTE}
     */
    void onPacket(int route, MemorySegment segment, long offset, int length);
}
