package io.tux.core.engine;

import io.tux.core.packet.DropReason;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The network thread's counters. Written only by the network thread, with release stores of a value it read
 * itself (no read-modify-write is needed with a single writer); read by any thread (JMX, tests) with volatile
 * loads, so a reader sees every increment made before the last one it sees.
 */
public final class EngineCounters {
    /** The counters besides the drop reasons. */
    public enum Counter {
        PACKETS_RECEIVED, PACKETS_SENT, DATA_PACKETS_SENT, ACKS_SENT, BYTES_DELIVERED, BYTES_ACKED,
        RETRANSMITS_TIMEOUT, RETRANSMITS_FAST, RETRANSMITS_PARTIAL_ACK, PROBES_SENT, LINK_BACKPRESSURE,
        HANDSHAKES_COMPLETED, HANDSHAKES_FAILED, RESETS_SENT, RESETS_RECEIVED, CONNECTIONS_TIMED_OUT,
        LOOP_ITERATIONS
    }

    private static final int DROPS = Counter.values().length;
    private final AtomicLongArray values = new AtomicLongArray(DROPS + DropReason.values().length);

    void increment(Counter c) { add(c.ordinal(), 1); }

    void add(Counter c, long delta) { add(c.ordinal(), delta); }

    void drop(DropReason r) { add(DROPS + r.ordinal(), 1); }

    private void add(int i, long delta) { values.lazySet(i, values.get(i) + delta); }

    public long get(Counter c) { return values.get(c.ordinal()); }

    /**
     * Adds every counter of {@code other} to this one: for totals kept outside a network thread (an engine that
     * was closed). This instance must have one writer at a time (the caller's lock orders them); {@code other} is
     * read with volatile loads, as any reader does.
     */
    public void addAll(EngineCounters other) {
        for (int i = 0; i < values.length(); i++) add(i, other.values.get(i));
    }

    public long dropped(DropReason r) { return values.get(DROPS + r.ordinal()); }

    /** Every drop, whatever its reason. */
    public long droppedTotal() {
        long sum = 0;
        for (DropReason r : DropReason.values()) sum += dropped(r);
        return sum;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("EngineCounters{");
        for (Counter c : Counter.values()) if (get(c) != 0) b.append(c).append('=').append(get(c)).append(' ');
        for (DropReason r : DropReason.values()) if (dropped(r) != 0) b.append("drop.").append(r).append('=').append(dropped(r)).append(' ');
        return b.append('}').toString();
    }
}
