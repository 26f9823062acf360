package io.tux.core.stack;

import java.io.IOException;

/** Tux cannot carry a connection; {@link #reason()} says why, in a form that can be counted. */
public final class TuxUnavailableException extends IOException {
    /** Why Tux is not available; each is counted and logged once by the provider. */
    public enum Reason {
        /** Turned off by configuration. */
        DISABLED,
        /** The process lacks CAP_NET_ADMIN / CAP_BPF / CAP_NET_RAW (or is not root). */
        NO_PRIVILEGE,
        /** The kernel offers no AF_XDP sockets or no XDP for this interface. */
        NO_AF_XDP,
        /** libbpf (or libxdp) could not be loaded. */
        NO_NATIVE_LIBRARY,
        /**
         * The JVM does not grant native access (no {@code --enable-native-access=ALL-UNNAMED}): Tux does not call
         * native code then, so that the JDK prints no warning into the program's output.
         */
        NO_NATIVE_ACCESS,
        /** Another process owns the interface queue's AF_XDP socket. */
        QUEUE_BUSY,
        /** Another XDP program is attached to the interface. */
        INTERFACE_BUSY,
        /** No route, interface or neighbour for the peer. */
        NO_ROUTE,
        /** An address family or kind Tux does not carry (for instance IPv6 today). */
        UNSUPPORTED_ADDRESS,
        /** The XDP program failed to load or attach. */
        PROGRAM_FAILED,
        /** Something else; the message says what. */
        OTHER
    }

    private final Reason reason;

    public TuxUnavailableException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public TuxUnavailableException(Reason reason, String message, Throwable cause) {
        super(reason + ": " + message, cause);
        this.reason = reason;
    }

    public Reason reason() { return reason; }
}
