package io.tux.core.packet;

/** Why the network thread dropped a received packet; each reason has its own counter. */
public enum DropReason {
    /** Shorter than the Tux header. */
    TRUNCATED,
    /** The first two bytes are not the Tux magic. */
    BAD_MAGIC,
    /** A protocol version this code does not speak. */
    BAD_VERSION,
    /** A packet type this version does not define. */
    BAD_TYPE,
    /** Undefined flag bits or a non-zero reserved byte. */
    BAD_FLAGS,
    /** The length field disagrees with the packet's actual length, or a payload is too long or malformed. */
    BAD_LENGTH,
    /** No connection has this connection id. */
    UNKNOWN_CONNECTION,
    /** The token does not match the one agreed at the handshake (or the packet came from another route). */
    BAD_TOKEN,
    /** The sequence number lies outside the receive window. */
    OUTSIDE_WINDOW,
    /** Already received: a duplicate (counted, acknowledged again, never delivered twice). */
    DUPLICATE,
    /** An acknowledgment for data never sent. */
    BAD_ACK,
    /** A packet that is not valid in the connection's current state. */
    WRONG_STATE
}
