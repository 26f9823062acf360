package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;

/**
 * What carries the bytes of one {@link TuxSocketChannel}: the kernel TCP connection ({@link KernelTransport}) or,
 * after a successful handshake, Tux. Connect, accept, options and addresses always go to the TCP connection,
 * which stays open as control channel; only the data path and readiness go through the transport.
 *
 * <p>A transport honours the channel's blocking mode ({@code channel.isBlocking()}), and in blocking mode the
 * JDK's rules for close and interrupt: a thread blocked in read/write is released with
 * {@code AsynchronousCloseException} when the channel is closed, and an interrupted thread gets
 * {@code ClosedByInterruptException} with the channel closed and its interrupt status set.
 *
 * <p>For blocking operations a transport uses the channel's {@code beginBlocking()}/{@code endBlocking(boolean)}
 * (the JDK's begin/end protocol), and its {@link #close()} must release threads blocked in it. A blocked operation
 * waits until it can proceed or the transport is closed, never ends on the interrupt status alone:
 * {@code Thread.interrupt()} sets the status and unparks the thread before it closes the channel, and
 * {@code endBlocking} throws {@code ClosedByInterruptException} only once that close happened (the JDK's channels
 * loop on {@code isOpen()} the same way). While a transport
 * other than the kernel's is in use, the selector polls {@link #readiness()} instead of the TCP connection, so
 * the transport itself watches the TCP control connection (peer close, reset) and reports it as readiness and as
 * the result of its reads. It calls the channel's {@code signalReadiness()} when its readiness rises.
 *
 * <p>Threading: as a {@code SocketChannel}'s: one reader and one writer at a time (the channel serialises them),
 * close from any thread.
 */
interface Transport {

    /** Every operation: readiness entirely from the kernel channel. */
    int KERNEL_ALL = java.nio.channels.SelectionKey.OP_READ | java.nio.channels.SelectionKey.OP_WRITE
            | java.nio.channels.SelectionKey.OP_CONNECT | java.nio.channels.SelectionKey.OP_ACCEPT;

    /**
     * The operations whose readiness the selector takes from {@link #selectable()}; the rest come from
     * {@link #readiness()}. When it changes, the transport tells the channel ({@code readinessSourcesChanged}).
     */
    default int kernelOps() {
        return readiness() == null ? KERNEL_ALL : 0;
    }

    /**
     * True when the transport counts its bytes itself, on the path that carried them (a connection being cut
     * over moves bytes on TCP and on Tux at once); false: the channel counts them by {@link #mode()}.
     */
    default boolean countsBytes() {
        return false;
    }

    ConnectionMode mode();

    int read(ByteBuffer dst) throws IOException;

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    int write(ByteBuffer src) throws IOException;

    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    void shutdownInput() throws IOException;

    void shutdownOutput() throws IOException;

    /** The JDK channel to register in a selector's inner selector, or null when {@link #readiness()} is polled. */
    SelectableChannel selectable();

    /**
     * The polled readiness source, or null for the kernel transport. Called on every selection: return the same
     * object each time (no allocation).
     */
    TuxReadiness readiness();

    /** The stream {@code socket().getInputStream()} reads; honours SO_TIMEOUT. */
    InputStream inputStream() throws IOException;

    /** The stream {@code socket().getOutputStream()} writes. */
    OutputStream outputStream() throws IOException;

    /** Releases what the transport holds besides the TCP connection (the channel closes that); idempotent. */
    void close() throws IOException;
}
