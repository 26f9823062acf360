package io.tux.spi;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * Watches the control channel (the TCP connection under a cut-over Tux connection) of every connection of the JVM,
 * so that a peer's crash or reset reaches the program as it would on TCP (docs/PROTOCOL.md, "Control channel").
 * Once both directions of a connection are on Tux nobody reads its TCP socket any more; this is the one reader.
 *
 * <p>One daemon platform thread, started on first use, sleeps in one JDK {@link Selector} with the TCP channels of
 * the watched connections registered for OP_READ: nothing runs while every peer is alive and quiet. It reads what
 * arrives (the peer's nudge, end of stream, a reset) and hands it to the connection's {@link TuxTransport}; it also
 * closes the TCP sockets whose close a transport deferred until its Tux connection was gone, and runs the short
 * grace timers of {@link TuxTransport#controlEnded}.
 *
 * <p>Threading: other threads only add requests to {@link #requests} and wake the selector; the watcher thread owns
 * the selector, its keys and {@link #buf}.
 */
final class ControlWatcher {
    /** A deferred TCP close happens at the latest this long after the channel was closed (should the engine never
     * tell that it dropped the Tux connection, e.g. its stack was closed). */
    static final long DEFERRED_CLOSE_BOUND_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static volatile ControlWatcher shared;

    /** Requests from any thread, run by the watcher thread: lock-free queue, published by its own ordering. */
    private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
    /** Watcher thread only. */
    private final Selector selector;
    /** Watcher thread only: what one OP_READ reads (a peer sends at most one byte on a cut-over connection). */
    private final ByteBuffer buf = ByteBuffer.allocate(64);
    /** Watcher thread only: pending timers (rare: one per control channel that ended), unordered. */
    private final java.util.ArrayList<Timer> timers = new java.util.ArrayList<>();

    private record Timer(long at, Runnable task) {
    }

    private ControlWatcher(Selector selector) {
        this.selector = selector;
    }

    /** The JVM's watcher, started on first use with a selector of the platform provider. */
    static ControlWatcher shared(SelectorProvider platform) throws IOException {
        ControlWatcher w = shared;
        if (w != null) return w;
        synchronized (ControlWatcher.class) {
            if (shared == null) {
                ControlWatcher created = new ControlWatcher(platform.openSelector());
                Thread.ofPlatform().daemon().name("tux-control-watcher").start(created::run);
                shared = created;
            }
            return shared;
        }
    }

    /** Any thread: starts reading {@code tcp} (already non-blocking) for {@code t}. */
    void watch(TuxTransport t, SocketChannel tcp) {
        submit(() -> {
            try {
                tcp.register(selector, SelectionKey.OP_READ, t);
            } catch (IOException | RuntimeException e) {
                // closed meanwhile: nothing to watch
            }
        });
    }

    /**
     * Any thread: stops watching {@code tcp} and closes it (on the watcher thread: never blocks the caller). A
     * channel registered with a selector is released by the JDK only when that selector deregisters it, and this
     * selector may sleep for a long time: a transport whose channel closes asks for this.
     */
    void close(SocketChannel tcp) {
        submit(() -> closeNow(tcp));
    }

    /** Any thread: runs {@code task} on the watcher thread after {@code delayNanos}. */
    void schedule(long delayNanos, Runnable task) {
        long at = System.nanoTime() + delayNanos;
        submit(() -> timers.add(new Timer(at, task)));
    }

    private void submit(Runnable r) {
        requests.add(r);
        selector.wakeup();
    }

    private void closeNow(SocketChannel tcp) {
        SelectionKey k = tcp.keyFor(selector);
        try {
            if (k != null) k.cancel();
            // deregisters now (also a key the channel's own close cancelled), so that the JDK releases the socket
            // at once instead of at this selector's next wakeup
            selector.selectNow();
        } catch (IOException | RuntimeException ignored) {
            // the close below still happens
        }
        try {
            tcp.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing more can be done with it
        }
    }

    private void run() {
        for (;;) {
            try {
                for (Runnable r; (r = requests.poll()) != null; ) {
                    r.run();
                }
                long now = System.nanoTime();
                long next = Long.MAX_VALUE;
                for (int i = timers.size() - 1; i >= 0; i--) {
                    Timer t = timers.get(i);
                    if (t.at() - now <= 0) {
                        timers.remove(i);
                        t.task().run();
                    } else {
                        next = Math.min(next, t.at() - now);
                    }
                }
                if (!requests.isEmpty()) continue;
                if (next == Long.MAX_VALUE) {
                    selector.select();
                } else {
                    selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(next + 999_999)));
                }
                for (SelectionKey k : selector.selectedKeys()) {
                    if (k.isValid() && k.isReadable()) readable(k);
                }
                selector.selectedKeys().clear();
            } catch (Throwable e) {
                // A bug here must not stop the watching of every other connection; logged at debug level by
                // the transports that notice nothing. Yield so that a persistent failure cannot spin a core.
                Thread.onSpinWait();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ignored) {
                    // daemon thread: nothing to stop
                }
            }
        }
    }

    /** Reads what the peer sent on the control channel and tells the transport. Watcher thread. */
    private void readable(SelectionKey k) {
        SocketChannel tcp = (SocketChannel) k.channel();
        TuxTransport t = (TuxTransport) k.attachment();
        buf.clear();
        int n;
        boolean reset = false;
        try {
            n = tcp.read(buf);
        } catch (IOException e) {
            n = -1;
            reset = true;
        }
        if (n > 0) {
            for (int i = 0; i < n; i++) {
                if (!t.controlByte(buf.get(i))) {
                    k.interestOps(0);
                    return;
                }
            }
            return;
        }
        if (n < 0) {
            k.interestOps(0); // end of stream is level-triggered: never select it again
            t.controlEnded(reset);
        }
    }
}
