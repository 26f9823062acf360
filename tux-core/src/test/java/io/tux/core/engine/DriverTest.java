package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.link.MemoryLink;
import io.tux.core.testing.Pattern;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The driver token: application threads run the engine loop themselves ({@link Engine#drive()},
 * {@link Engine#kick(Connection)}), one at a time, without a network thread or beside one.
 */
class DriverTest {
    private static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(30);

    private static Connection[] connect(Engine a, Engine b, MemoryLink[] links, ConnectionListener la) {
        InetSocketAddress x = new InetSocketAddress("10.1.0.1", 40001);
        InetSocketAddress y = new InetSocketAddress("10.1.0.2", 5001);
        Connection c = a.open(links[0].openRoute(x, y), Mode.STREAM, 0, la);
        Connection s = b.open(links[1].openRoute(y, x), Mode.STREAM, 0, null);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (c.state() == ConnectionState.HANDSHAKING || s.state() == ConnectionState.HANDSHAKING) {
            a.drive();
            b.drive();
            assertTrue(System.nanoTime() < deadline, "handshake timed out");
        }
        assertEquals(ConnectionState.ESTABLISHED, c.state());
        assertEquals(ConnectionState.ESTABLISHED, s.state());
        return new Connection[] {c, s};
    }

    /** Without any network thread: a write to an idle connection leaves from the writing thread (kick). */
    @Test
    void writeToIdleConnectionSendsFromTheWritingThread() throws Exception {
        MemoryLink[] links = MemoryLink.pair(1472, 64);
        Engine a = new Engine(links[0], EngineConfig.DEFAULT);
        Engine b = new Engine(links[1], EngineConfig.DEFAULT);
        Connection[] cs = connect(a, b, links, null);
        drain(a, b, cs[0]);
        long sentBefore = a.counters().get(Counter.DATA_PACKETS_SENT);
        long iterationsBefore = a.counters().get(Counter.LOOP_ITERATIONS);

        Pattern pattern = new Pattern(7);
        assertEquals(100, cs[0].write(pattern.slice(0, 100)));

        // No drive() by the test between the write and this check: the write itself sent the packet, by servicing
        // that one connection (no whole loop iteration).
        assertEquals(sentBefore + 1, a.counters().get(Counter.DATA_PACKETS_SENT));
        assertEquals(iterationsBefore, a.counters().get(Counter.LOOP_ITERATIONS));
        ByteBuffer got = ByteBuffer.allocate(100);
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        while (got.hasRemaining()) {
            b.drive();
            cs[1].read(got);
            assertTrue(System.nanoTime() < deadline, "bytes did not arrive");
        }
        assertEquals(-1, pattern.mismatch(got.array(), 0, 100, 0));
    }

    /** Iterations never nest: a listener that drives (or kicks) inside an iteration finds the token taken. */
    @Test
    void aListenerCannotDriveInsideAnIteration() throws Exception {
        MemoryLink[] links = MemoryLink.pair(1472, 64);
        AtomicInteger nested = new AtomicInteger(-2);
        Engine[] engines = new Engine[1];
        ConnectionListener l = new ConnectionListener() {
            @Override
            public void onStateChanged(Connection c, ConnectionState s) {
                nested.set(engines[0].drive());
                assertEquals(0, engines[0].doWork());
            }
        };
        Engine a = new Engine(links[0], EngineConfig.DEFAULT);
        engines[0] = a;
        Engine b = new Engine(links[1], EngineConfig.DEFAULT);
        connect(a, b, links, l);
        assertEquals(-1, nested.get());
    }

    /**
     * Two application threads and the network thread all drive the same engines at once; a stream of 8 MiB
     * still arrives exact (the token serialises them; a missed hand-over would corrupt or lose bytes).
     */
    @Test
    void concurrentDriversKeepTheStreamExact() throws Exception {
        MemoryLink[] links = MemoryLink.pair(1472, 1024);
        try (NetworkThread ta = new NetworkThread(new Engine(links[0], EngineConfig.DEFAULT), "tux-a", 0).start();
                NetworkThread tb = new NetworkThread(new Engine(links[1], EngineConfig.DEFAULT), "tux-b", 0).start()) {
            Engine a = ta.engine();
            Engine b = tb.engine();
            InetSocketAddress x = new InetSocketAddress("10.1.0.1", 40002);
            InetSocketAddress y = new InetSocketAddress("10.1.0.2", 5002);
            Connection c = a.open(links[0].openRoute(x, y), Mode.STREAM, 0, null);
            Connection s = b.open(links[1].openRoute(y, x), Mode.STREAM, 0, null);
            long total = 8L << 20;
            Pattern pattern = new Pattern(11);
            long deadline = System.nanoTime() + DEADLINE_NANOS;
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(3000);
                long off = 0;
                a.beginPolling();
                try {
                    while (off < total) {
                        if (c.state() == ConnectionState.HANDSHAKING) {
                            a.drive();
                            continue;
                        }
                        chunk.clear();
                        pattern.fill(chunk, off, (int) Math.min(chunk.capacity(), total - off));
                        chunk.flip();
                        while (chunk.hasRemaining()) {
                            off += c.write(chunk);
                            a.drive();
                            if (System.nanoTime() > deadline) throw new AssertionError("writer timed out");
                        }
                    }
                    c.shutdownOutput();
                    return off;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                } finally {
                    a.endPolling(true);
                }
            });
            ByteBuffer in = ByteBuffer.allocate(5000);
            long read = 0;
            long mismatches = 0;
            b.beginPolling();
            try {
                for (;;) {
                    b.drive();
                    in.clear();
                    int n = s.state() == ConnectionState.HANDSHAKING ? 0 : s.read(in);
                    if (n < 0) break;
                    if (n > 0 && pattern.mismatch(in.array(), 0, n, read) >= 0) mismatches++;
                    read += n;
                    assertTrue(System.nanoTime() < deadline, "reader timed out at " + read);
                }
            } finally {
                b.endPolling(true);
            }
            assertEquals(total, writer.get(30, TimeUnit.SECONDS));
            assertEquals(total, read);
            assertEquals(0, mismatches);
            assertNull(ta.failure());
            assertNull(tb.failure());
        }
    }

    /** Runs both engines until the connection has nothing in flight. */
    /**
     * A retired engine's loop is nobody's any more: drive returns -1, a write's kick sends nothing, and retire
     * waits for a thread inside the loop to leave it (here: it cannot take the token while another holds it).
     */
    @Test
    void aRetiredEngineIsNeverDrivenAgain() throws Exception {
        MemoryLink[] links = MemoryLink.pair(1472, 64);
        Engine a = new Engine(links[0], EngineConfig.DEFAULT);
        Engine b = new Engine(links[1], EngineConfig.DEFAULT);
        Connection[] cs = connect(a, b, links, null);
        drain(a, b, cs[0]);
        assertFalse(a.retired());
        assertTrue(a.retire(0));
        assertTrue(a.retired());
        assertTrue(a.retire(0), "idempotent");
        long iterations = a.counters().get(Counter.LOOP_ITERATIONS);
        long sent = a.counters().get(Counter.PACKETS_SENT);
        assertEquals(-1, a.drive());
        assertEquals(0, a.doWork());
        assertEquals(100, cs[0].write(new Pattern(3).slice(0, 100)), "the ring still takes the bytes");
        assertEquals(iterations, a.counters().get(Counter.LOOP_ITERATIONS), "no loop ran");
        assertEquals(sent, a.counters().get(Counter.PACKETS_SENT), "nothing reached the link");

        // A thread inside the loop keeps retire waiting: a listener that runs inside b's loop tries to retire b.
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger retiredFromInside = new AtomicInteger(-1);
        Engine[] holder = new Engine[1];
        MemoryLink[] links2 = MemoryLink.pair(1472, 64);
        Engine c = new Engine(links2[0], EngineConfig.DEFAULT);
        Engine d = new Engine(links2[1], EngineConfig.DEFAULT);
        holder[0] = c;
        ConnectionListener tryRetire = new ConnectionListener() {
            @Override
            public void onStateChanged(Connection conn, ConnectionState state) {
                if (state == ConnectionState.ESTABLISHED && inside.getAndIncrement() == 0) {
                    retiredFromInside.set(holder[0].retire(TimeUnit.MILLISECONDS.toNanos(1)) ? 1 : 0);
                }
            }
        };
        connect(c, d, links2, tryRetire);
        assertEquals(1, inside.get());
        assertEquals(0, retiredFromInside.get(), "retire gave up: the loop was held by the listener's thread");
        assertFalse(c.retired());
        assertTrue(c.retire(0), "free once the loop returned");
    }

    private static void drain(Engine a, Engine b, Connection c) {
        long deadline = System.nanoTime() + DEADLINE_NANOS;
        for (int i = 0; i < 10 || !c.isFlushed(); i++) {
            a.drive();
            b.drive();
            assertTrue(System.nanoTime() < deadline, "did not settle");
        }
    }
}
