package io.tux.core.engine;

/**
 * Told by the network thread when a connection may have become readable or writable or changed state, at most
 * once per connection per loop iteration. Runs on the network thread: it must be quick and must not block
 * (unpark a waiter, wake a selector).
 */
public interface ConnectionListener {
    ConnectionListener NONE = new ConnectionListener() {};

    /** New bytes or messages, end of stream, or an error are waiting to be read. */
    default void onReadable(Connection connection) {}

    /** Space was freed in the send buffer. */
    default void onWritable(Connection connection) {}

    /** {@link Connection#state()} changed. */
    default void onStateChanged(Connection connection, ConnectionState state) {}

    /**
     * The network thread dropped the connection (it ended and the application closed it): whatever was kept
     * for it elsewhere (its route on the link) can go now.
     */
    default void onRemoved(Connection connection) {}
}
