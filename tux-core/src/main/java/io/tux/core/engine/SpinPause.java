package io.tux.core.engine;

/**
 * What a thread that polls (the network thread, or an application thread waiting for a Tux connection) does
 * between two polls: a CPU pause, and every {@value #YIELD_EVERY}th time a yield of the core.
 *
 * <p>A poller needs no other thread of its own JVM to make progress, and each yield may give a loaded core away
 * for a whole time slice; but with more runnable threads than cores the thread that makes its wait end (a peer in
 * the same JVM, the thread that holds the engine loop, or the kernel's softirq thread that delivers packets to the
 * rings) may be waiting for this very core. Measured on the 2-core VM under a load of 9 to 17 (other builds), 64 B
 * ping-pong medians with application threads spinning, in one JVM over lo / between two namespaces: yield every
 * turn 22 / 316 us, every 4th 9.4 / 10.5 us, every 16th 11.6 / 13.5 us, every 64th 21 / 22-280 us, every 1024th
 * 157 / 5.5-260 us (the JDK's provider: 14 / 15 us). Stateless; any thread.
 */
public final class SpinPause {
    static final int YIELD_EVERY = 4;

    private SpinPause() {}

    /** Pauses after the {@code turn}th poll of a spin (counting from 1). */
    public static void pause(int turn) {
        if (turn % YIELD_EVERY == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }
}
