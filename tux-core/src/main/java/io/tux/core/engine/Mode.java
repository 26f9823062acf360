package io.tux.core.engine;

/** The delivery semantics of a connection, fixed at the handshake (paper, section 3.1). */
public enum Mode {
    /** Ordered bytes (the order bit on every packet): compatibility mode, what a TCP connection becomes. */
    STREAM,
    /** Whole messages, unordered, boundaries kept; large messages are fragmented with the first/last bits. */
    MESSAGE
}
