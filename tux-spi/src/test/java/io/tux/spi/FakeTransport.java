package io.tux.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** A stand-in for the Tux transport: bytes from a queue, readiness set by the test. Non-blocking only. */
final class FakeTransport implements Transport {

    /** Written by the test thread, read by selecting threads. */
    volatile int ready;
    final AtomicInteger polls = new AtomicInteger();
    final ConcurrentLinkedQueue<byte[]> incoming = new ConcurrentLinkedQueue<>();
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public ConnectionMode mode() {
        return ConnectionMode.TUX;
    }

    @Override
    public int read(ByteBuffer dst) {
        byte[] b = incoming.poll();
        if (b == null) {
            return 0;
        }
        dst.put(b);
        return b.length;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) {
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

    private final TuxReadiness readiness = () -> {
        polls.incrementAndGet();
        return ready;
    };

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
        closes.incrementAndGet();
    }
}
