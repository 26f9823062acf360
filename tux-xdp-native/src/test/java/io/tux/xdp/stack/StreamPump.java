package io.tux.xdp.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.ConnectionState;
import io.tux.core.testing.Pattern;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves pattern bytes over a Tux connection from application threads: {@link #send} writes them and the FIN,
 * {@link #receive} reads and checks every byte until the end of the stream. A thread with nothing to do parks
 * for at most a millisecond; the connection's listener ({@link #listener()}) unparks it sooner. Every loop is
 * bounded by a deadline.
 */
final class StreamPump {

    /** What a receiver saw. */
    record Received(long bytes, long firstMismatch, boolean eof, long firstByteNanos) {
        /** MB/s from the first byte to now. */
        double mbps() {
            return bytes / 1e6 / Math.max(1, System.nanoTime() - firstByteNanos) * 1e9;
        }
    }

    /** Written by the pumping thread before it waits (volatile), read by the network thread to unpark it. */
    private volatile Thread waiter;

    /** Unparks the thread waiting on this pump; runs on the network thread. */
    ConnectionListener listener() {
        return new ConnectionListener() {
            @Override
            public void onReadable(Connection c) {
                wake();
            }

            @Override
            public void onWritable(Connection c) {
                wake();
            }

            @Override
            public void onStateChanged(Connection c, ConnectionState s) {
                wake();
            }
        };
    }

    private void wake() {
        Thread t = waiter;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    void pause() {
        waiter = Thread.currentThread();
        LockSupport.parkNanos(1_000_000L);
    }

    /** Waits until {@code c} leaves the handshake; returns its state. */
    ConnectionState awaitHandshake(Connection c, long deadline) {
        while (c.state() == ConnectionState.HANDSHAKING && System.nanoTime() < deadline) {
            pause();
        }
        return c.state();
    }

    /** Writes {@code total} bytes of {@code pattern}, then the FIN, and waits until all of it was acknowledged. */
    long send(Connection c, Pattern pattern, long total, long deadline) throws IOException {
        long written = 0;
        while (written < total && System.nanoTime() < deadline) {
            ByteBuffer slice = pattern.slice(written, (int) Math.min(Pattern.PERIOD, total - written));
            int n = c.write(slice);
            if (n == 0) {
                pause();
            }
            written += n;
        }
        if (written < total) {
            return written;
        }
        c.shutdownOutput();
        while (!c.isFlushed() && System.nanoTime() < deadline && !c.state().isTerminal()) {
            pause();
        }
        return written;
    }

    /** Reads until the end of the stream (or the deadline), checking every byte against {@code pattern}. */
    Received receive(Connection c, Pattern pattern, long deadline) throws IOException {
        byte[] buffer = new byte[256 * 1024];
        ByteBuffer in = ByteBuffer.wrap(buffer);
        long read = 0;
        long mismatch = -1;
        long first = System.nanoTime();
        while (System.nanoTime() < deadline) {
            in.clear();
            int n = c.read(in);
            if (n < 0) {
                return new Received(read, mismatch, true, first);
            }
            if (n == 0) {
                pause();
                continue;
            }
            if (read == 0) {
                first = System.nanoTime();
            }
            if (mismatch < 0) {
                mismatch = pattern.mismatch(buffer, 0, n, read);
            }
            read += n;
        }
        return new Received(read, mismatch, false, first);
    }

    static long deadlineIn(long seconds) {
        return System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    }
}
