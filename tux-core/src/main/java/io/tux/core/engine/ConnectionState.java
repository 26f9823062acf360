package io.tux.core.engine;

/** Where a Tux connection is in its life. Terminal states never change again. */
public enum ConnectionState {
    /** Handshake packets are being exchanged on the data path. */
    HANDSHAKING(false),
    /** Both ends received each other's handshake: data flows. */
    ESTABLISHED(false),
    /** The handshake did not complete in time or was refused: the caller keeps using kernel TCP. */
    HANDSHAKE_FAILED(true),
    /** Both directions ended in order (both FINs sent and acknowledged) or the application closed it. */
    CLOSED(true),
    /** The peer reset the connection. */
    RESET(true),
    /** This end reset the connection ({@link Connection#abort()}). */
    ABORTED(true),
    /** The peer stopped acknowledging: retransmissions ran out. */
    TIMED_OUT(true);

    private final boolean terminal;

    ConnectionState(boolean terminal) { this.terminal = terminal; }

    public boolean isTerminal() { return terminal; }
}
