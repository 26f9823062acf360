package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A stand-in for the Tux transport that carries a connection's bytes through memory between the two channels of
 * one process (the TCP connection stays open as control channel, as it will with Tux). It keeps every obligation
 * the real transport has towards the JDK's semantics (see {@link Transport}): blocking and non-blocking reads and
 * writes with a bounded buffer, end of stream, shutdown, reset on an SO_LINGER=0 close, close and interrupt through
 * the channel's begin/end hooks, SO_TIMEOUT on the adaptor's stream, readiness for the selector and signals to it.
 * {@link MemoryTuxModeConformanceTest} runs the whole conformance suite over it.
 */
final class MemoryTuxTransport implements Transport {

    static final int CAPACITY = 64 * 1024;

    /** One direction of the connection: a bounded byte queue between a writer and a reader. */
    static final class Stream {
        final ReentrantLock lock = new ReentrantLock();
        /** Signalled on every change: bytes, space, shutdown, close. */
        final Condition changed = lock.newCondition();
        final byte[] buf = new byte[CAPACITY];
        /** Guarded by lock. */
        int head;
        /** Written under lock, read without it by readiness (volatile). */
        volatile int count;
        /** The writer will send nothing more (shutdownOutput or close); under lock, read by readiness. */
        volatile boolean writerShut;
        /** The writer closed with SO_LINGER=0: the reader gets "Connection reset". */
        volatile boolean reset;
        /** The reader closed: further writes fail. */
        volatile boolean readerClosed;

        /** Copies up to the available bytes into dsts; caller holds lock. */
        long take(ByteBuffer[] dsts, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length && count > 0; i++) {
                ByteBuffer d = dsts[i];
                while (d.hasRemaining() && count > 0) {
                    int chunk = Math.min(Math.min(d.remaining(), count), CAPACITY - head);
                    d.put(buf, head, chunk);
                    head = (head + chunk) % CAPACITY;
                    count -= chunk;
                    n += chunk;
                }
            }
            return n;
        }

        /** Copies as much of srcs as fits; caller holds lock. */
        long put(ByteBuffer[] srcs, int offset, int length) {
            long n = 0;
            for (int i = offset; i < offset + length && count < CAPACITY; i++) {
                ByteBuffer s = srcs[i];
                while (s.hasRemaining() && count < CAPACITY) {
                    int tail = (head + count) % CAPACITY;
                    int chunk = Math.min(Math.min(s.remaining(), CAPACITY - count), CAPACITY - tail);
                    s.get(buf, tail, chunk);
                    count += chunk;
                    n += chunk;
                }
            }
            return n;
        }
    }

    /** Pairs two established channels of one process onto memory streams. */
    static void pair(TuxSocketChannel a, TuxSocketChannel b) {
        Stream ab = new Stream();
        Stream ba = new Stream();
        MemoryTuxTransport ta = new MemoryTuxTransport(a, ba, ab);
        MemoryTuxTransport tb = new MemoryTuxTransport(b, ab, ba);
        ta.peer = tb;
        tb.peer = ta;
        a.switchTransport(ta, null);
        b.switchTransport(tb, null);
    }

    private final TuxSocketChannel ch;
    private final SocketChannel tcp;
    private final Stream in;
    private final Stream out;
    /** Set once by pair() before the transport is published by switchTransport. */
    private MemoryTuxTransport peer;
    /** Written by close/shutdown (any thread), read by I/O threads and readiness. */
    private volatile boolean closed;
    private volatile boolean inputShut;
    private volatile boolean outputShut;
    private final TuxReadiness readiness = this::readyOps;

    private MemoryTuxTransport(TuxSocketChannel ch, Stream in, Stream out) {
        this.ch = ch;
        this.tcp = ch.tcp();
        this.in = in;
        this.out = out;
    }

    private int readyOps() {
        int ops = 0;
        if (in.count > 0 || in.writerShut || in.reset || inputShut || closed) {
            ops |= SelectionKey.OP_READ;
        }
        if (out.count < CAPACITY || outputShut || out.readerClosed || closed) {
            ops |= SelectionKey.OP_WRITE;
        }
        return ops;
    }

    @Override
    public ConnectionMode mode() {
        return ConnectionMode.TUX;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (closed || !ch.isOpen()) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return (int) read(new ByteBuffer[] {dst}, 0, 1, -1);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(dsts, offset, length, -1);
    }

    /** @param timeoutNanos -1: none; else the adaptor's SO_TIMEOUT */
    private long read(ByteBuffer[] dsts, int offset, int length, long timeoutNanos) throws IOException {
        ensureOpen();
        boolean blocking = ch.isBlocking();
        long n = 0;
        if (blocking) {
            ch.beginBlocking();
        }
        try {
            in.lock.lock();
            try {
                long deadline = timeoutNanos > 0 ? System.nanoTime() + timeoutNanos : 0;
                for (;;) {
                    if (closed) {
                        break; // end() throws AsynchronousCloseException or ClosedByInterruptException
                    }
                    if (inputShut) {
                        n = -1;
                        break;
                    }
                    if (in.reset) {
                        throw new SocketException("Connection reset");
                    }
                    n = in.take(dsts, offset, length);
                    if (n > 0) {
                        in.changed.signalAll();
                        break;
                    }
                    if (in.writerShut) {
                        n = -1;
                        break;
                    }
                    if (!blocking) {
                        break;
                    }
                    if (timeoutNanos > 0) {
                        long left = deadline - System.nanoTime();
                        if (left <= 0) {
                            throw new SocketTimeoutException("Read timed out");
                        }
                        try {
                            in.changed.awaitNanos(left);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt(); // the interrupt closes the channel: loop sees it
                        }
                    } else {
                        in.changed.awaitUninterruptibly();
                    }
                }
            } finally {
                in.lock.unlock();
            }
        } finally {
            if (blocking) {
                ch.endBlocking(n > 0);
            }
        }
        if (n > 0) {
            peer.ch.signalReadiness(); // the peer may write again
        }
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return (int) write(new ByteBuffer[] {src}, 0, 1);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        ensureOpen();
        if (outputShut) {
            throw new ClosedChannelException();
        }
        boolean blocking = ch.isBlocking();
        long n = 0;
        if (blocking) {
            ch.beginBlocking();
        }
        try {
            out.lock.lock();
            try {
                for (;;) {
                    if (closed) {
                        break;
                    }
                    if (out.readerClosed) {
                        throw new IOException("Broken pipe");
                    }
                    long put = out.put(srcs, offset, length);
                    if (put > 0) {
                        n += put;
                        out.changed.signalAll();
                    }
                    boolean more = false;
                    for (int i = offset; i < offset + length; i++) {
                        more |= srcs[i].hasRemaining();
                    }
                    if (!more || !blocking) {
                        break;
                    }
                    if (put > 0) {
                        out.lock.unlock(); // let the peer's selector know before we wait
                        try {
                            peer.ch.signalReadiness();
                        } finally {
                            out.lock.lock();
                        }
                        continue;
                    }
                    out.changed.awaitUninterruptibly();
                }
            } finally {
                out.lock.unlock();
            }
        } finally {
            if (blocking) {
                ch.endBlocking(n > 0);
            }
        }
        if (n > 0) {
            peer.ch.signalReadiness();
        }
        return n;
    }

    @Override
    public void shutdownInput() throws IOException {
        tcp.shutdownInput(); // state and exceptions of the TCP connection (not connected, closed)
        in.lock.lock();
        try {
            inputShut = true;
            in.changed.signalAll();
        } finally {
            in.lock.unlock();
        }
        ch.signalReadiness();
    }

    @Override
    public void shutdownOutput() throws IOException {
        tcp.shutdownOutput();
        out.lock.lock();
        try {
            outputShut = true;
            out.writerShut = true;
            out.changed.signalAll();
        } finally {
            out.lock.unlock();
        }
        peer.ch.signalReadiness();
    }

    @Override
    public SelectableChannel selectable() {
        return null;
    }

    @Override
    public TuxReadiness readiness() {
        return readiness;
    }

    @Override
    public InputStream inputStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                if (len == 0) {
                    return 0;
                }
                int timeout = tcp.socket().getSoTimeout();
                long n = MemoryTuxTransport.this.read(new ByteBuffer[] {ByteBuffer.wrap(b, off, len)}, 0, 1,
                        timeout > 0 ? TimeUnit.MILLISECONDS.toNanos(timeout) : -1);
                return (int) n;
            }
        };
    }

    @Override
    public OutputStream outputStream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                Objects.checkFromIndexSize(off, len, b.length);
                if (!ch.isBlocking()) {
                    throw new IllegalBlockingModeException();
                }
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining()) {
                    MemoryTuxTransport.this.write(new ByteBuffer[] {src}, 0, 1);
                }
            }
        };
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        boolean linger0 = false;
        try {
            linger0 = tcp.isOpen() && tcp.getOption(StandardSocketOptions.SO_LINGER) == 0;
        } catch (IOException ignored) {
            // no linger: a normal close
        }
        closed = true;
        out.lock.lock();
        try {
            out.reset |= linger0;
            out.writerShut = true;
            out.changed.signalAll(); // our blocked writers, and the peer's readers
        } finally {
            out.lock.unlock();
        }
        in.lock.lock();
        try {
            in.readerClosed = true;
            in.changed.signalAll(); // our blocked readers, and the peer's writers
        } finally {
            in.lock.unlock();
        }
        peer.ch.signalReadiness();
    }
}
