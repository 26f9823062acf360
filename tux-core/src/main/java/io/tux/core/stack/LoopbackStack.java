package io.tux.core.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.Mode;
import io.tux.core.engine.NetworkThread;
import io.tux.core.link.LoopbackLink;
import java.net.InetSocketAddress;

/**
 * A {@link TuxStack} for connections whose two ends are in this process: N engines, each with its own network
 * thread over its own {@link LoopbackLink}. Lets the provider run Tux mode end to end without privileges (tests,
 * and a process talking to itself). The two ends of a connection must meet on one link, so a connection goes to
 * the engine its address pair chooses, whichever end opens it: a hash of the unordered pair, so connections spread
 * over the engines. Route numbers are not reused: a link's route table grows by one entry per connection ever
 * opened on it, which suits tests and short-lived processes.
 *
 * <p>Thread-safe: any thread may open connections; the links and threads are fixed at construction.
 */
public final class LoopbackStack implements TuxStack {
    private final LoopbackLink[] links;
    private final NetworkThread[] threads;

    /** One engine and network thread. */
    public LoopbackStack(EngineConfig config, long pollBudgetNanos) {
        this(config, pollBudgetNanos, 1);
    }

    /** {@code engines} engines, each with its own network thread ({@code tux-loopback-<i>}). */
    public LoopbackStack(EngineConfig config, long pollBudgetNanos, int engines) {
        if (engines < 1) throw new IllegalArgumentException("engines must be at least 1: " + engines);
        this.links = new LoopbackLink[engines];
        this.threads = new NetworkThread[engines];
        for (int i = 0; i < engines; i++) {
            links[i] = new LoopbackLink(1472, 4096);
            String name = engines == 1 ? "tux-loopback" : "tux-loopback-" + i;
            threads[i] = new NetworkThread(new Engine(links[i], config), name, pollBudgetNanos).start();
        }
    }

    /** The engine that serves the connection between {@code a} and {@code b}, in either direction. */
    public int engineIndexOf(InetSocketAddress a, InetSocketAddress b) {
        int h = a.hashCode() ^ b.hashCode(); // symmetric: both ends pick the same engine
        h ^= h >>> 16;
        return Math.floorMod(h, links.length);
    }

    @Override
    public Connection open(InetSocketAddress local, InetSocketAddress remote, long appData,
                           ConnectionListener listener) {
        int i = engineIndexOf(local, remote);
        int route = links[i].openRoute(local, remote);
        return threads[i].engine().open(route, Mode.STREAM, appData, listener);
    }

    @Override
    public void release(Connection connection) {
        for (int i = 0; i < threads.length; i++) {
            if (connection.engineIs(threads[i].engine())) {
                links[i].closeRoute(connection.route());
                return;
            }
        }
    }

    @Override
    public String describe() {
        return "loopback (in-process" + (links.length == 1 ? ")" : ", " + links.length + " network threads)");
    }

    @Override
    public String counters() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < threads.length; i++) {
            if (i > 0) b.append("; ");
            b.append(threads.length == 1 ? "loopback" : "loopback#" + i).append(": ").append(threads[i].engine().counters());
        }
        return b.toString();
    }

    /** Number of engines (network threads). */
    public int engineCount() { return links.length; }

    /** The first engine (the only one by default). */
    public Engine engine() { return threads[0].engine(); }

    /** Engine {@code i}. */
    public Engine engine(int i) { return threads[i].engine(); }

    /** The first link (the only one by default), for tests that script lost or duplicated packets. */
    public LoopbackLink link() { return links[0]; }

    /** Link {@code i}. */
    public LoopbackLink link(int i) { return links[i]; }

    @Override
    public void close() {
        for (NetworkThread t : threads) t.close();
    }
}
