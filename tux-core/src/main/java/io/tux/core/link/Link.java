package io.tux.core.link;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * What the engine's network thread sends Tux packets through and receives them from: a simulated link in
 * tests, AF_XDP sockets in production (tux-xdp-native).
 *
 * <p>A Tux packet is the UDP payload: the Tux header followed by its payload. The link owns everything
 * outside it (Ethernet, IP and UDP headers, checksums, addresses). Peers are named by <em>routes</em>: small
 * non-negative integers the link hands out for a (local, remote) UDP address pair, so that the hot path
 * never touches an address object.
 *
 * <p>Sending: {@link #send} copies a finished packet; {@link #claim}/{@link #commit} let the caller assemble the
 * packet in the link's own transmit memory (on AF_XDP, the UMEM frame that goes out), which saves one copy
 * of every payload byte.
 *
 * <p>Threading: every method except {@link #openRoute} and {@link #closeRoute} is called only by the thread
 * that drives the engine owning the link, one thread at a time (the network thread, or an application thread
 * that polls; the engine's driver CAS orders them), and await only by the network thread. {@code openRoute} and
 * {@code closeRoute} may be called from any thread
 * and must be safe against a concurrent {@link #poll}.
 */
public interface Link extends AutoCloseable {

    /** Route number meaning "no route is registered for this packet's source". */
    int NO_ROUTE = -1;

    /** The largest Tux packet (Tux header plus payload) this link carries. */
    int mtu();

    /**
     * Read-path batching: hands up to {@code limit} received Tux packets to {@code sink}, in arrival order,
     * and returns how many were handed over. The bytes handed to the sink are valid only during the call.
     * Where the link can, the same kernel call also pushes out what {@link #send} queued (combined RX/TX).
     */
    int poll(PacketSink sink, int limit);

    /**
     * Queues one Tux packet for transmission to {@code route}; the bytes are copied before this returns. The
     * default claims room with {@link #claim}, copies the packet there and commits it.
     *
     * @return false when the link cannot take another packet now (transmit ring full): the caller keeps the
     *     packet and tries again on a later loop iteration.
     * @throws IllegalArgumentException if {@code length} is negative or above {@link #mtu()}
     */
    default boolean send(int route, MemorySegment packet, long offset, int length) {
        long at = claim(route, length);
        if (at < 0) {
            return false;
        }
        MemorySegment.copy(packet, offset, claimed(), at, length);
        commit(length);
        return true;
    }

    /**
     * Zero-copy send, step 1: reserves room for one Tux packet of at most {@code maxLength} bytes to
     * {@code route} and returns the offset in {@link #claimed()} at which the caller writes it (header first);
     * on an AF_XDP link that is the transmit frame itself, behind the link's own headers. The caller must then
     * call {@link #commit} before any other call on the link: a claim cannot be given back. A packet to a route
     * that was closed meanwhile may be claimed and is then dropped at commit, as {@link #send} drops it.
     *
     * @return the offset, or -1 when the link cannot take another packet now (transmit ring full), as when
     *     {@link #send} returns false
     * @throws IllegalArgumentException if {@code maxLength} is negative or above {@link #mtu()}, or the
     *     route was never opened (links that can tell)
     */
    long claim(int route, int maxLength);

    /** The memory the last successful {@link #claim} points into; valid until {@link #commit}. */
    MemorySegment claimed();

    /**
     * Zero-copy send, step 2: queues the claimed packet, whose {@code length} bytes (at most the claimed
     * maximum) are now at the claimed offset. Sent with the next {@link #flush}, as {@link #send}'s packets.
     */
    void commit(int length);

    /** Write-path batching: makes everything queued by {@link #send} go out, with at most one kernel call. */
    void flush();

    /**
     * Registers the UDP address pair of one connection and returns its route number. Packets received from
     * {@code remote} to {@code local} are handed to the sink with this route; {@link #send} on it goes from
     * {@code local} to {@code remote}.
     *
     * @throws IOException when the link cannot reach {@code remote} (no route, no neighbour, wrong interface)
     */
    int openRoute(InetSocketAddress local, InetSocketAddress remote) throws IOException;

    /** Forgets a route; packets from it are then handed over with {@link #NO_ROUTE} or dropped. */
    void closeRoute(int route);

    /**
     * Blocks the network thread for at most {@code nanos} or until a packet may have arrived or
     * {@link #wakeup} was called. The default parks the thread; an AF_XDP link waits in poll() on its socket.
     */
    default void await(long nanos) {
        java.util.concurrent.locks.LockSupport.parkNanos(nanos);
    }

    /**
     * As {@link #await(long)}, but when {@code wakeOnPacket} is false an arriving packet need not end the wait
     * (application threads poll the link meanwhile): only {@link #wakeup} or the time does. A link that cannot
     * tell the two apart waits as {@link #await(long)} does.
     */
    default void await(long nanos, boolean wakeOnPacket) {
        await(nanos);
    }

    /** Ends an {@link #await} of {@code networkThread} early. Any thread. */
    default void wakeup(Thread networkThread) {
        java.util.concurrent.locks.LockSupport.unpark(networkThread);
    }

    /** Releases the link's resources; idempotent. */
    @Override
    void close();
}
