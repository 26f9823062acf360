package io.tux.spi;

import java.util.Map;

/**
 * Counters of the Tux provider, registered as {@code io.tux:type=Tux} in the platform MBean server the first time a
 * connection is established through a {@link TuxSelectorProvider}. Counts are for the whole JVM since start.
 *
 * <p>Threading: every getter may be called from any thread; values are sums read without a lock.
 */
public interface TuxMXBean {

    /**
     * Connections established (connect finished or accepted) through Tux channels, counted at once: those whose
     * transport is not decided yet (handshake running, or given up only at close) are the difference to
     * {@link #getConnectionsOnTux()} + {@link #getConnectionsOnKernel()}.
     */
    long getConnectionsOpened();

    /** Connections that run on Tux. */
    long getConnectionsOnTux();

    /** Connections that run on kernel TCP, of every reason. */
    long getConnectionsOnKernel();

    /** Connections on kernel TCP by {@link FallbackReason} name; reasons never seen are absent. */
    Map<String, Long> getConnectionsOnKernelByReason();

    long getBytesReadOnKernel();

    long getBytesWrittenOnKernel();

    long getBytesReadOnTux();

    long getBytesWrittenOnTux();

    /**
     * Tux connections reset because their peer went away: its TCP connection (the control channel) ended and the
     * peer fell silent on Tux (docs/PROTOCOL.md, "Control channel").
     */
    long getControlPeersGone();

    /** Tux connections reset because the peer broke the control channel's protocol (a byte after the nudge). */
    long getControlViolations();

    /** {@link Tux#isAvailable()}. */
    boolean isAvailable();

    /** Why Tux is unavailable, or the empty string. */
    String getUnavailabilityReason();

    /** The effective {@code tux.*} settings. */
    String getConfiguration();

    /**
     * The engines' packet counters (packets, retransmissions, handshakes, drops by reason), one
     * {@code interface#queue: EngineCounters{...}} entry per network thread; empty before the first engine runs.
     */
    String getEngineCounters();

    /**
     * What carries Tux connections now: for AF_XDP, each interface queue with a link and its XDP mode, and how many
     * links were set up and closed for idleness ({@code tux.linkIdleMillis}); empty before the first connection.
     */
    String getLinks();
}
