package io.tux.spi;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.Set;

/**
 * A listening channel of the Tux provider: the JDK's server socket channel underneath (Tux connections start as
 * TCP connections), and {@link #accept()} hands out a {@link TuxSocketChannel} around each accepted connection,
 * whose {@code onEstablished()} hook runs before it is returned.
 *
 * <p>Behaviour (blocking, close and interrupt of a blocked accept, options) is the JDK channel's.
 * {@link #socket()} returns our own adaptor so that {@code socket().getChannel() == this} and its
 * {@code accept()} returns sockets of Tux channels.
 *
 * <p>Threading: as {@link ServerSocketChannel}.
 */
public final class TuxServerSocketChannel extends ServerSocketChannel implements TuxChannel {

    private final ServerSocketChannel tcp;
    private final TuxRuntime rt;
    private final Registrations registrations = new Registrations();
    /** Created once under {@code this} lock. */
    private TuxServerSocketAdaptor socket;

    TuxServerSocketChannel(SelectorProvider provider, TuxRuntime rt, ServerSocketChannel tcp) throws IOException {
        super(provider);
        this.tcp = Objects.requireNonNull(tcp);
        this.rt = rt;
        if (!tcp.isBlocking()) {
            configureBlocking(false);
        }
    }

    ServerSocketChannel tcp() {
        return tcp;
    }

    /** Wraps a connection the JDK accepted and runs its established hook. */
    TuxSocketChannel wrapAccepted(SocketChannel accepted) throws IOException {
        TuxSocketChannel ch = new TuxSocketChannel(provider(), rt, accepted);
        ch.onAccepted();
        return ch;
    }

    void syncClose() {
        KernelChannels.closeIfClosedUnder(tcp, this);
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        tcp.bind(local, backlog);
        return this;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        tcp.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return tcp.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return tcp.supportedOptions();
    }

    @Override
    public ServerSocket socket() {
        synchronized (this) {
            if (socket == null) {
                socket = new TuxServerSocketAdaptor(this, tcp.socket());
            }
            return socket;
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        SocketChannel accepted;
        try {
            accepted = tcp.accept();
        } catch (Throwable t) {
            syncClose();
            throw t;
        }
        return accepted == null ? null : wrapAccepted(accepted);
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        return tcp.getLocalAddress();
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        tcp.close();
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        KernelChannels.configureBlocking(registrations, tcp, block);
    }

    @Override
    public SelectableChannel kernelSelectable() {
        return tcp;
    }

    @Override
    public TuxReadiness readiness() {
        return null;
    }

    @Override
    public Registrations registrations() {
        return registrations;
    }

    @Override
    public String toString() {
        return tcp.toString();
    }
}
