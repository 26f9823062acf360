package io.tux.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The JVM-wide connection and byte counters behind {@link TuxMXBean} and the exit summary.
 *
 * <p>Threading: every counter is a {@link LongAdder}, incremented by any thread without a lock (a striped CAS);
 * readers sum the stripes and may miss increments that race with the read, which is fine for monitoring.
 */
final class TuxStats {

    final LongAdder connectionsOpened = new LongAdder();
    final LongAdder connectionsOnTux = new LongAdder();
    private final LongAdder[] onKernel = new LongAdder[FallbackReason.values().length];
    final LongAdder bytesReadKernel = new LongAdder();
    final LongAdder bytesWrittenKernel = new LongAdder();
    final LongAdder bytesReadTux = new LongAdder();
    final LongAdder bytesWrittenTux = new LongAdder();
    /** Tux connections reset because their control channel (TCP) ended and the Tux stream did not: peer gone. */
    final LongAdder controlPeersGone = new LongAdder();
    /** Tux connections reset because their peer broke the control channel's protocol (a byte after the nudge). */
    final LongAdder controlViolations = new LongAdder();

    TuxStats() {
        for (int i = 0; i < onKernel.length; i++) {
            onKernel[i] = new LongAdder();
        }
    }

    /**
     * Records a newly established connection (connect finished or accept returned it), before its transport is
     * decided: a connection whose handshake has not ended yet (or never ends: closed while it ran, or the program
     * exits first) is counted all the same, as undecided.
     */
    void opened() {
        connectionsOpened.increment();
    }

    /** Records the transport an opened connection was decided to run on. */
    void established(ConnectionMode mode, FallbackReason reason) {
        if (mode == ConnectionMode.TUX) {
            connectionsOnTux.increment();
        } else {
            onKernel[reason.ordinal()].increment();
        }
    }

    /** Records that a connection moved from kernel TCP (counted under {@code before}) onto Tux. */
    void movedToTux(FallbackReason before) {
        onKernel[before.ordinal()].decrement();
        connectionsOnTux.increment();
    }

    /** Records that a connection moved from Tux back to kernel TCP. */
    void movedToKernel(FallbackReason reason) {
        connectionsOnTux.decrement();
        onKernel[reason.ordinal()].increment();
    }

    long onKernel() {
        long s = 0;
        for (LongAdder a : onKernel) {
            s += a.sum();
        }
        return s;
    }

    /** Opened connections whose transport is not decided (yet): opened - on Tux - on kernel, at least 0. */
    long undecided() {
        // read the decisions first: a connection is opened before it is decided, so this never over-counts
        long decided = connectionsOnTux.sum() + onKernel();
        return Math.max(0, connectionsOpened.sum() - decided);
    }

    long onKernel(FallbackReason reason) {
        return onKernel[reason.ordinal()].sum();
    }

    Map<String, Long> onKernelByReason() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (FallbackReason r : FallbackReason.values()) {
            long v = onKernel[r.ordinal()].sum();
            if (v != 0) {
                m.put(r.name(), v);
            }
        }
        return m;
    }

    /**
     * One line, e.g. {@code connections 3 (tux 0, kernel 3: NOT_IMPLEMENTED=3), bytes kernel in 10 out 12, ...};
     * {@code , undecided N} follows the kernel reasons when N opened connections have no transport decided.
     */
    String summary() {
        StringBuilder sb = new StringBuilder("connections ").append(connectionsOpened.sum())
                .append(" (tux ").append(connectionsOnTux.sum()).append(", kernel ").append(onKernel());
        Map<String, Long> by = onKernelByReason();
        if (!by.isEmpty()) {
            sb.append(':');
            by.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        }
        long undecided = undecided();
        if (undecided > 0) {
            sb.append(", undecided ").append(undecided);
        }
        sb.append("), bytes kernel in ").append(bytesReadKernel.sum()).append(" out ").append(bytesWrittenKernel.sum())
                .append(", bytes tux in ").append(bytesReadTux.sum()).append(" out ").append(bytesWrittenTux.sum());
        return sb.toString();
    }
}
