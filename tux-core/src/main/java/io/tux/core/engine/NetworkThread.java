package io.tux.core.engine;

import java.util.concurrent.TimeUnit;

/**
 * The thread that runs an {@link Engine}'s loop. While there is work it loops without pause; once idle it keeps
 * polling for {@code pollBudgetNanos} (on these machines waking a sleeping thread costs far more than moving a
 * packet, see NOTES.md), and then sleeps in {@link Engine#idle} until a packet, a timer or an application
 * thread wakes it. A budget of 0 never burns a core while idle. While application threads poll the engine
 * themselves ({@link Engine#beginPolling()}), it does not poll: it sleeps and keeps the timers.
 */
public final class NetworkThread implements AutoCloseable {
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final Engine engine;
    private final long pollBudgetNanos;
    private final Thread thread;
    /** Written by the closing thread (volatile), read by the network thread every iteration. */
    private volatile boolean running = true;
    /** Written by the network thread if the loop dies (volatile), read by anyone. */
    private volatile Throwable failure;

    public NetworkThread(Engine engine, String name, long pollBudgetNanos) {
        if (pollBudgetNanos < 0) throw new IllegalArgumentException("pollBudgetNanos must be >= 0: " + pollBudgetNanos);
        this.engine = engine;
        this.pollBudgetNanos = pollBudgetNanos;
        this.thread = Thread.ofPlatform().name(name).daemon(true).unstarted(this::run);
    }

    public NetworkThread start() {
        thread.start();
        return this;
    }

    public Engine engine() { return engine; }

    public Thread thread() { return thread; }

    /** Why the loop stopped by itself, or null. */
    public Throwable failure() { return failure; }

    private void run() {
        try {
            long idleSince = 0;
            int turn = 0;
            while (running) {
                int work = engine.drive();
                if (work > 0) {
                    idleSince = 0;
                    continue;
                }
                // Poll on only while nobody else does: an application thread that polls serves the packets itself,
                // and on a machine with few cores two polling threads take each other's core.
                if (work == 0 && engine.pollers() == 0) {
                    long now = System.nanoTime();
                    if (idleSince == 0) {
                        idleSince = now;
                        turn = 0;
                    }
                    if (now - idleSince < pollBudgetNanos) {
                        SpinPause.pause(++turn);
                        continue;
                    }
                }
                if (engine.idle(MAX_SLEEP_NANOS) > 0) idleSince = 0;
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    /** Stops the loop and waits (bounded) for the thread to end. */
    @Override
    public void close() {
        running = false;
        engine.wakeup();
        thread.interrupt();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
