package io.tux.spi.netns;

import io.tux.spi.Tux;
import io.tux.spi.TuxMXBean;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What the child mains print about a connection: its transport ({@link Tux#mode}, {@link Tux#fallbackReason})
 * and this JVM's Tux byte counters, in {@code key=value} form.
 *
 * <p>Threading: static helpers; any thread.
 */
final class Report {
    private Report() {
    }

    /** True when this JVM runs with the Tux provider installed. */
    static boolean tuxInstalled() {
        return SelectorProvider.provider().getClass().getName().equals("io.tux.spi.TuxSelectorProvider");
    }

    /**
     * Waits (at most {@code millis}) until the connection's transport is decided: on Tux, or on kernel TCP with a
     * reason. Returns the milliseconds it took from {@code sinceNanos}, or -1 if it was not decided in time (or
     * the channel is not a Tux channel).
     */
    static long awaitDecided(SocketChannel ch, long sinceNanos, long millis) {
        if (Tux.mode(ch) == null) {
            return -1;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() - deadline < 0) {
            if (decided(ch)) {
                return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
        return decided(ch) ? TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos) : -1;
    }

    private static boolean decided(SocketChannel ch) {
        return Tux.fallbackReason(ch) != null || "TUX".equals(String.valueOf(Tux.mode(ch)));
    }

    /** {@code mode=... reason=...} of the channel (null for a channel of the JDK's provider). */
    static String mode(SocketChannel ch) {
        return "mode=" + Tux.mode(ch) + " reason=" + Tux.fallbackReason(ch);
    }

    /** {@code kernelIn=.. kernelOut=.. tuxIn=.. tuxOut=..} of this JVM, or {@code counters=none} without Tux. */
    static String counters() {
        if (!tuxInstalled()) {
            return "counters=none";
        }
        TuxMXBean c = Tux.counters();
        return "kernelIn=" + c.getBytesReadOnKernel() + " kernelOut=" + c.getBytesWrittenOnKernel() + " tuxIn="
                + c.getBytesReadOnTux() + " tuxOut=" + c.getBytesWrittenOnTux();
    }
}
