package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;

/**
 * The kernel path: every call goes to the JDK's own socket channel, so behaviour (blocking, close, interrupt,
 * virtual threads, exceptions) is the JDK's.
 *
 * <p>Threading: stateless besides the final channel; as the JDK channel's.
 */
final class KernelTransport implements Transport {

    private final SocketChannel tcp;

    KernelTransport(SocketChannel tcp) {
        this.tcp = tcp;
    }

    @Override
    public ConnectionMode mode() {
        return ConnectionMode.KERNEL;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return tcp.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return tcp.read(dsts, offset, length);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return tcp.write(src);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        return tcp.write(srcs, offset, length);
    }

    @Override
    public void shutdownInput() throws IOException {
        tcp.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        tcp.shutdownOutput();
    }

    @Override
    public SelectableChannel selectable() {
        return tcp;
    }

    @Override
    public TuxReadiness readiness() {
        return null;
    }

    @Override
    public InputStream inputStream() throws IOException {
        return tcp.socket().getInputStream();
    }

    @Override
    public OutputStream outputStream() throws IOException {
        return tcp.socket().getOutputStream();
    }

    @Override
    public void close() {
        // nothing besides the TCP connection, which the channel closes
    }
}
