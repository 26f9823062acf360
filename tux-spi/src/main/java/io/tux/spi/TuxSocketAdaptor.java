package io.tux.spi;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.util.Set;

/**
 * {@code TuxSocketChannel.socket()}: a {@link Socket} view of a Tux socket channel. Everything goes to the JDK's
 * own adaptor of the underlying JDK channel (connect with timeout, SO_TIMEOUT on reads, options, shutdown), except
 * what must name our channel: {@link #getChannel()} returns the Tux channel (as the JDK's adaptor returns its
 * channel), {@link #close()} closes it, the streams come from the channel's transport, and a completed
 * {@link #connect} runs the channel's established hook.
 *
 * <p>Threading: as {@link Socket}; no state of its own besides final fields.
 */
final class TuxSocketAdaptor extends Socket {

    private final TuxSocketChannel ch;
    private final Socket jdk;

    TuxSocketAdaptor(TuxSocketChannel ch, Socket jdk) throws SocketException {
        super((java.net.SocketImpl) null); // declared to throw, but only stores the (unused) impl
        this.ch = ch;
        this.jdk = jdk;
    }


    @Override
    public void connect(SocketAddress endpoint) throws IOException {
        connect(endpoint, 0);
    }

    @Override
    public void connect(SocketAddress endpoint, int timeout) throws IOException {
        try {
            jdk.connect(endpoint, timeout);
        } catch (Throwable t) {
            ch.syncClose();
            throw t;
        }
        ch.onEstablished();
    }

    @Override
    public void bind(SocketAddress bindpoint) throws IOException {
        jdk.bind(bindpoint);
    }

    @Override
    public InetAddress getInetAddress() {
        return jdk.getInetAddress();
    }

    @Override
    public InetAddress getLocalAddress() {
        return jdk.getLocalAddress();
    }

    @Override
    public int getPort() {
        return jdk.getPort();
    }

    @Override
    public int getLocalPort() {
        return jdk.getLocalPort();
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return jdk.getRemoteSocketAddress();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return jdk.getLocalSocketAddress();
    }

    @Override
    public SocketChannel getChannel() {
        return ch;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        InputStream in = ch.transport().inputStream();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                try {
                    int b = in.read();
                    if (b >= 0) {
                        ch.countRead(1);
                    }
                    return b;
                } catch (Throwable t) {
                    ch.syncClose();
                    throw t;
                }
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                try {
                    int n = in.read(b, off, len);
                    ch.countRead(n);
                    return n;
                } catch (Throwable t) {
                    ch.syncClose();
                    throw t;
                }
            }

            @Override
            public void close() throws IOException {
                ch.close(); // as the JDK's: closing a socket's stream closes the socket
            }

            @Override
            public long skip(long n) throws IOException {
                try {
                    return in.skip(n);
                } catch (Throwable t) {
                    ch.syncClose();
                    throw t;
                }
            }
        };
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        OutputStream out = ch.transport().outputStream();
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                    ch.countWritten(1);
                } catch (Throwable t) {
                    ch.syncClose();
                    throw t;
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len);
                    ch.countWritten(len);
                } catch (Throwable t) {
                    ch.syncClose();
                    throw t;
                }
            }

            @Override
            public void close() throws IOException {
                ch.close(); // as the JDK's: closing a socket's stream closes the socket
            }
        };
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        jdk.setTcpNoDelay(on);
    }

    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return jdk.getTcpNoDelay();
    }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        jdk.setSoLinger(on, linger);
    }

    @Override
    public int getSoLinger() throws SocketException {
        return jdk.getSoLinger();
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        jdk.sendUrgentData(data);
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        jdk.setOOBInline(on);
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        return jdk.getOOBInline();
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        jdk.setSoTimeout(timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        return jdk.getSoTimeout();
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        jdk.setSendBufferSize(size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return jdk.getSendBufferSize();
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
    public void setKeepAlive(boolean on) throws SocketException {
        jdk.setKeepAlive(on);
    }

    @Override
    public boolean getKeepAlive() throws SocketException {
        return jdk.getKeepAlive();
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        jdk.setTrafficClass(tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return jdk.getTrafficClass();
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
    public void close() throws IOException {
        ch.close();
    }

    @Override
    public void shutdownInput() throws IOException {
        jdk.shutdownInput(); // the TCP connection, with the JDK adaptor's exceptions
        Transport t = ch.transport();
        if (t.mode() != ConnectionMode.KERNEL) {
            t.shutdownInput();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        jdk.shutdownOutput();
        Transport t = ch.transport();
        if (t.mode() != ConnectionMode.KERNEL) {
            t.shutdownOutput();
        }
    }

    @Override
    public String toString() {
        return jdk.toString();
    }

    @Override
    public boolean isConnected() {
        return jdk.isConnected();
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
    public boolean isInputShutdown() {
        return jdk.isInputShutdown();
    }

    @Override
    public boolean isOutputShutdown() {
        return jdk.isOutputShutdown();
    }

    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        jdk.setPerformancePreferences(connectionTime, latency, bandwidth);
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
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
}
