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
 * A {@link TuxStack} for connections whose two ends are in this process: one engine and one network thread
 * over a {@link LoopbackLink}. Lets the provider run Tux mode end to end without privileges (tests, and a
 * process talking to itself). Route numbers are not reused: the link's route table grows by one entry per
 * connection ever opened, which suits tests and short-lived processes.
 */
public final class LoopbackStack implements TuxStack {
    private final LoopbackLink link;
    private final NetworkThread thread;

    public LoopbackStack(EngineConfig config, long pollBudgetNanos) {
        this.link = new LoopbackLink(1472, 4096);
        this.thread = new NetworkThread(new Engine(link, config), "tux-loopback", pollBudgetNanos).start();
    }

    @Override
    public Connection open(InetSocketAddress local, InetSocketAddress remote, long appData,
                           ConnectionListener listener) {
        int route = link.openRoute(local, remote);
        return thread.engine().open(route, Mode.STREAM, appData, listener);
    }

    @Override
    public void release(Connection connection) { link.closeRoute(connection.route()); }

    @Override
    public String describe() { return "loopback (in-process)"; }

    @Override
    public String counters() { return "loopback: " + thread.engine().counters(); }

    public Engine engine() { return thread.engine(); }

    /** The link, for tests that script lost or duplicated packets. */
    public LoopbackLink link() { return link; }

    @Override
    public void close() { thread.close(); }
}
