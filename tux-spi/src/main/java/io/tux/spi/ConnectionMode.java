package io.tux.spi;

/**
 * Which transport carries a connection's bytes now.
 *
 * <p>Threading: an enum, immutable.
 */
public enum ConnectionMode {
    /** Kernel TCP through the JDK's own channel. */
    KERNEL,
    /** The Tux protocol over AF_XDP; the TCP connection stays open as control channel. */
    TUX
}
