package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * A stand-in for a Tux transport with blocking reads, written the way the real one must be: begin/end around the
 * wait, close releases the waiting reader. Shows that the channel's hooks give the JDK's close and interrupt rules.
 */
final class BlockingFakeTransport implements Transport {

    private final TuxSocketChannel ch;
    /** Offered by the test thread, polled by the reader. */
    final ConcurrentLinkedQueue<byte[]> incoming = new ConcurrentLinkedQueue<>();
    /** Written by close (any thread), read by the reader. */
    private volatile boolean closed;
    /** Written by the reader before it parks, read by close/deliver to unpark it. */
    private volatile Thread reader;

    BlockingFakeTransport(TuxSocketChannel ch) {
        this.ch = ch;
    }

    void deliver(byte[] b) {
        incoming.add(b);
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
        ch.signalReadiness();
    }

    @Override
    public ConnectionMode mode() {
        return ConnectionMode.TUX;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        byte[] b = incoming.poll();
        if (b == null && !ch.isBlocking()) {
            return 0;
        }
        boolean completed = false;
        ch.beginBlocking();
        try {
            reader = Thread.currentThread();
            // Wait for data or close, not for the interrupt status: Thread.interrupt() sets the status and unparks
            // before it closes the channel, so ending on the status alone would race with that close (the JDK's
            // channels loop on isOpen() the same way).
            while (b == null && !closed) {
                LockSupport.park(this);
                b = incoming.poll();
            }
            if (b != null) {
                dst.put(b);
                completed = true;
                return b.length;
            }
            return 0; // end() below throws: closed or interrupted
        } finally {
            reader = null;
            ch.endBlocking(completed);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return read(dsts[offset]);
    }

    @Override
    public int write(ByteBuffer src) {
        int n = src.remaining();
        src.position(src.limit());
        return n;
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public void shutdownInput() {
    }

    @Override
    public void shutdownOutput() {
    }

    @Override
    public SelectableChannel selectable() {
        return null;
    }

    private final TuxReadiness readiness = () -> incoming.isEmpty() ? 0 : java.nio.channels.SelectionKey.OP_READ;

    @Override
    public TuxReadiness readiness() {
        return readiness;
    }

    @Override
    public InputStream inputStream() throws IOException {
        throw new IOException("not in the fake");
    }

    @Override
    public OutputStream outputStream() throws IOException {
        throw new IOException("not in the fake");
    }

    @Override
    public void close() {
        closed = true;
        Thread r = reader;
        if (r != null) {
            LockSupport.unpark(r);
        }
    }
}
