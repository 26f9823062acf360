package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * {@code TuxServerSocketChannel.socket()}: a {@link ServerSocket} view of a Tux listening channel. Everything goes
 * to the JDK's adaptor of the underlying JDK channel (bind, SO_TIMEOUT on accept, options) except
 * {@link #getChannel()} (our channel), {@link #close()} (closes our channel) and {@link #accept()}, which returns
 * the socket adaptor of a Tux channel around the accepted connection.
 *
 * <p>Threading: as {@link ServerSocket}; no state of its own besides final fields.
 */
final class TuxServerSocketAdaptor extends ServerSocket {

    private final TuxServerSocketChannel ch;
    private final ServerSocket jdk;

    TuxServerSocketAdaptor(TuxServerSocketChannel ch, ServerSocket jdk) {
        super(new NoSocketImpl());
        this.ch = ch;
        this.jdk = jdk;
    }

    @Override
    public void bind(SocketAddress endpoint) throws IOException {
        jdk.bind(endpoint);
    }

    @Override
    public void bind(SocketAddress endpoint, int backlog) throws IOException {
        jdk.bind(endpoint, backlog);
    }

    @Override
    public InetAddress getInetAddress() {
        return jdk.getInetAddress();
    }

    @Override
    public int getLocalPort() {
        return jdk.getLocalPort();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return jdk.getLocalSocketAddress();
    }

    @Override
    public Socket accept() throws IOException {
        Socket s;
        try {
            s = jdk.accept();
        } catch (Throwable t) {
            ch.syncClose();
            throw t;
        }
        return ch.wrapAccepted(s.getChannel()).socket();
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public ServerSocketChannel getChannel() {
        return ch;
    }

    @Override
    public boolean isBound() {
        return jdk.isBound();
    }

    @Override
    public boolean isClosed() {
        return !ch.isOpen();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        jdk.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws IOException {
        return jdk.getSoTimeout();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        jdk.setReuseAddress(on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return jdk.getReuseAddress();
    }

    @Override
    public String toString() {
        return jdk.toString();
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        jdk.setReceiveBufferSize(size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return jdk.getReceiveBufferSize();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        jdk.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        jdk.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return jdk.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return jdk.supportedOptions();
    }

    /** ServerSocket's constructor wants an impl; every method of ours goes to the JDK adaptor instead. */
    private static final class NoSocketImpl extends SocketImpl {
        private static SocketException unsupported() {
            return new SocketException("not supported by the Tux server socket adaptor");
        }

        @Override
        protected void create(boolean stream) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(String host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(InetAddress address, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void connect(SocketAddress address, int timeout) throws IOException {
            throw unsupported();
        }

        @Override
        protected void bind(InetAddress host, int port) throws IOException {
            throw unsupported();
        }

        @Override
        protected void listen(int backlog) throws IOException {
            throw unsupported();
        }

        @Override
        protected void accept(SocketImpl s) throws IOException {
            throw unsupported();
        }

        @Override
        protected InputStream getInputStream() throws IOException {
            throw unsupported();
        }

        @Override
        protected OutputStream getOutputStream() throws IOException {
            throw unsupported();
        }

        @Override
        protected int available() throws IOException {
            throw unsupported();
        }

        @Override
        protected void close() {
            // nothing to close
        }

        @Override
        protected void sendUrgentData(int data) throws IOException {
            throw unsupported();
        }

        @Override
        public void setOption(int optID, Object value) throws SocketException {
            throw unsupported();
        }

        @Override
        public Object getOption(int optID) throws SocketException {
            throw unsupported();
        }
    }
}
