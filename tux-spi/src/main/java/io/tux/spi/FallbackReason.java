package io.tux.spi;

/**
 * Why a connection runs on kernel TCP instead of Tux. Every connection that is not on Tux has exactly one.
 *
 * <p>Threading: an enum, immutable.
 */
public enum FallbackReason {
    /** {@code tux.enabled=false}. */
    DISABLED,
    /** A {@code tux.*} system property is malformed (the log and {@link Tux#unavailabilityCause()} say which). */
    CONFIG_INVALID,
    /** The JDK's own SelectorProvider could not be reached (a JDK update changed its internals). */
    PLATFORM_UNREACHABLE,
    /** The process lacks CAP_NET_ADMIN/CAP_BPF (or root) to attach XDP programs and open AF_XDP sockets. */
    NO_PRIVILEGE,
    /** The kernel or interface offers no AF_XDP. */
    NO_AF_XDP,
    /** Another process holds the AF_XDP queue Tux wanted (EBUSY). */
    QUEUE_BUSY,
    /** The peer did not answer the Tux handshake as a Tux peer. */
    PEER_NOT_TUX,
    /** The peer did not finish the Tux handshake within {@code tux.handshakeTimeoutMillis}. */
    HANDSHAKE_TIMEOUT,
    /** The Tux engine failed; the connection stayed on, or went back to, kernel TCP. */
    ENGINE_ERROR,
    /** A Unix domain socket: nothing to move. */
    UNIX_DOMAIN,
    /** The Tux transport is not part of this build yet. */
    NOT_IMPLEMENTED,
    /** Another XDP program owns the interface. */
    INTERFACE_BUSY,
    /** No route, interface or neighbour towards the peer for the AF_XDP path. */
    NO_ROUTE,
    /** An address Tux does not carry (IPv6 today). */
    UNSUPPORTED_ADDRESS,
    /** libbpf could not be loaded. */
    NO_NATIVE_LIBRARY,
    /** The JVM was started without {@code --enable-native-access=ALL-UNNAMED} (bin/tux-java adds it). */
    NO_NATIVE_ACCESS,
    /** The XDP program failed to load or attach. */
    PROGRAM_FAILED,
    /**
     * The program closed the connection before its Tux handshake completed or timed out: its bytes went on TCP,
     * as every connection's do before its cutover, and nothing is known about the peer (short-lived connections).
     */
    CLOSED_DURING_HANDSHAKE
}
