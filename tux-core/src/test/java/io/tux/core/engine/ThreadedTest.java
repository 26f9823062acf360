package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.link.MemoryLink;
import io.tux.core.testing.Pattern;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real threads: two engines on their own network threads over a {@link MemoryLink}, application threads
 * (virtual threads) writing and reading concurrently through the lock-free rings.
 */
class ThreadedTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private NetworkThread threadA;
    private NetworkThread threadB;
    private MemoryLink[] links;

    @BeforeEach
    void start() {
        links = MemoryLink.pair(1472, 1024);
        threadA = new NetworkThread(new Engine(links[0], EngineConfig.DEFAULT), "tux-test-a", 50_000).start();
        threadB = new NetworkThread(new Engine(links[1], EngineConfig.DEFAULT), "tux-test-b", 50_000).start();
    }

    @AfterEach
    void stop() {
        threadA.close();
        threadB.close();
        assertNull(threadA.failure());
        assertNull(threadB.failure());
    }

    /** Wakes the thread that waits on a connection; what an SPI channel does in its own way. */
    static final class Waiter implements ConnectionListener {
        /** Threads waiting on this end: added and removed by the waiters, read by the network thread. */
        final java.util.Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override public void onReadable(Connection c) { wake(); }
        @Override public void onWritable(Connection c) { wake(); }
        @Override public void onStateChanged(Connection c, ConnectionState s) { wake(); }

        private void wake() {
            for (Thread t : threads) LockSupport.unpark(t);
        }

        /** Parks briefly (bounded) until woken; fails the test past the deadline. */
        void await(long deadline) {
            threads.add(Thread.currentThread());
            LockSupport.parkNanos(1_000_000);
            threads.remove(Thread.currentThread());
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting");
        }
    }

    private Connection[] connect(int port, Waiter wc, Waiter ws, Mode mode) {
        InetSocketAddress a = new InetSocketAddress("10.1.0.1", 40000 + port);
        InetSocketAddress b = new InetSocketAddress("10.1.0.2", 5000 + port);
        Connection c = threadA.engine().open(links[0].openRoute(a, b), mode, 0, wc);
        Connection s = threadB.engine().open(links[1].openRoute(b, a), mode, 0, ws);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (c.state() == ConnectionState.HANDSHAKING || s.state() == ConnectionState.HANDSHAKING) wc.await(deadline);
        assertEquals(ConnectionState.ESTABLISHED, c.state());
        assertEquals(ConnectionState.ESTABLISHED, s.state());
        return new Connection[] {c, s};
    }

    private static long write(Connection c, Waiter w, long seed, long total) throws Exception {
        Pattern pattern = new Pattern(seed);
        ByteBuffer out = ByteBuffer.allocateDirect(32 * 1024);
        CRC32C crc = new CRC32C();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long written = 0;
        while (written < total) {
            out.clear();
            pattern.fill(out, written, (int) Math.min(out.capacity(), total - written));
            out.flip();
            while (out.hasRemaining()) {
                ByteBuffer dup = out.duplicate();
                int n = c.write(out);
                if (n == 0) {
                    w.await(deadline);
                    continue;
                }
                dup.limit(dup.position() + n);
                crc.update(dup);
                written += n;
            }
        }
        c.shutdownOutput();
        return crc.getValue();
    }

    private static long readAll(Connection c, Waiter w, long seed, long total) throws Exception {
        Pattern pattern = new Pattern(seed);
        byte[] buf = new byte[48 * 1024];
        ByteBuffer in = ByteBuffer.wrap(buf);
        CRC32C crc = new CRC32C();
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        long read = 0;
        while (true) {
            in.clear();
            int n = c.read(in);
            if (n < 0) break;
            if (n == 0) {
                w.await(deadline);
                continue;
            }
            long m = pattern.mismatch(buf, 0, n, read);
            if (m >= 0) throw new AssertionError("wrong byte at " + m);
            crc.update(buf, 0, n);
            read += n;
        }
        assertEquals(total, read);
        return crc.getValue();
    }

    @Test
    void bothDirectionsAtOnceOnOneConnection() throws Exception {
        Waiter wc = new Waiter();
        Waiter ws = new Waiter();
        Connection[] cs = connect(1, wc, ws, Mode.STREAM);
        long total = 64L << 20;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Long> up = ex.submit(() -> write(cs[0], wc, 1, total));
            Future<Long> upRead = ex.submit(() -> readAll(cs[1], ws, 1, total));
            Future<Long> down = ex.submit(() -> write(cs[1], ws, 2, total));
            Future<Long> downRead = ex.submit(() -> readAll(cs[0], wc, 2, total));
            assertEquals(up.get(90, TimeUnit.SECONDS), upRead.get(90, TimeUnit.SECONDS));
            assertEquals(down.get(90, TimeUnit.SECONDS), downRead.get(90, TimeUnit.SECONDS));
        }
    }

    @Test
    void oneNetworkThreadDrivesManyConnections() throws Exception {
        int n = 16;
        long total = 4L << 20;
        List<Future<Long>> sent = new ArrayList<>();
        List<Future<Long>> received = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                Waiter wc = new Waiter();
                Waiter ws = new Waiter();
                Connection[] cs = connect(100 + i, wc, ws, Mode.STREAM);
                long seed = 1000 + i;
                sent.add(ex.submit(() -> write(cs[0], wc, seed, total)));
                received.add(ex.submit(() -> readAll(cs[1], ws, seed, total)));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(sent.get(i).get(90, TimeUnit.SECONDS), received.get(i).get(90, TimeUnit.SECONDS), "connection " + i);
            }
        }
        assertEquals(n, threadA.engine().connectionCount());
    }
}
