package io.tux.spi;

/**
 * A readiness source that is not a kernel file descriptor: a channel whose transport is Tux reports through it
 * which operations ({@code SelectionKey.OP_READ}, {@code OP_WRITE}, ...) it could perform now without blocking.
 *
 * <p>A {@link TuxSelector} asks every registered source on each selection (level-triggered, like the kernel's
 * readiness), spins on them for at most {@code tux.pollBudgetMicros} before it sleeps, and is woken from that
 * sleep by {@link TuxSelector#signal()}, which the transport calls when a source becomes ready.
 *
 * <p>Threading: {@link #readyOps()} is called by selecting threads, concurrently with the transport's own
 * threads; it must be thread-safe, must not block, and must not allocate.
 */
@FunctionalInterface
public interface TuxReadiness {

    /** The operations that would not block now, as a {@code SelectionKey.OP_*} bit set (0 when none). */
    int readyOps();

    /**
     * The Tux engine whose loop makes this source's readiness progress, or null: a selecting thread that spins on
     * the source runs that loop itself ({@link io.tux.core.engine.Engine#drive()}) instead of waiting for the
     * engine's network thread to hand the packets over.
     */
    default io.tux.core.engine.Engine engine() {
        return null;
    }
}
