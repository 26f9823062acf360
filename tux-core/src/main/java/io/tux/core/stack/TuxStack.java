package io.tux.core.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import java.net.InetSocketAddress;

/**
 * What the SelectorProvider talks to: engines, their network threads and links, opened by the address pair of
 * an established TCP connection. An implementation decides which link and which network thread serve a pair
 * (AF_XDP on the interface that routes to the peer, in tux-xdp-native; an in-memory loopback for tests).
 *
 * <p>Thread-safe: any thread may open connections.
 */
public interface TuxStack extends AutoCloseable {

    /**
     * Starts the Tux handshake for the TCP connection from {@code local} to {@code remote}, in stream mode.
     *
     * @param appData 64 bits for the peer (see {@link Connection#remoteAppData()})
     * @throws TuxUnavailableException when Tux cannot carry this connection (no route, no privileges, queue
     *     busy...): the caller keeps the connection on kernel TCP and records the reason
     */
    Connection open(InetSocketAddress local, InetSocketAddress remote, long appData, ConnectionListener listener)
            throws TuxUnavailableException;

    /** Forgets the address pair of a connection that was closed and is no longer needed. */
    void release(Connection connection);

    /** A short description for logs: what the stack runs on. */
    String describe();

    /**
     * The engine counters of every network thread (packets, retransmissions, drops by reason...), one
     * {@code name: counters} entry each, for the exit summary and diagnostics; empty when none runs yet.
     */
    default String counters() {
        return "";
    }

    /** Stops the network threads and releases links; connections still open fail. Idempotent. */
    @Override
    void close();
}
