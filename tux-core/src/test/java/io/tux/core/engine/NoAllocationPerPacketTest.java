package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.link.MemoryLink;
import io.tux.core.testing.Pattern;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packet path allocates nothing per packet: two engines over a {@link MemoryLink} pair, both driven from the
 * test thread with the application's writes and reads, stream 64 MiB after a warm-up of the same size, and the
 * thread's allocated bytes over the measured part stay below one byte per packet (a few stray objects from the
 * JIT or the runtime are tolerated). Covers the engine's in-place assembly through {@code Link.claim/commit},
 * the receive fast path and both rings.
 */
class NoAllocationPerPacketTest {

    @Test
    void streamingAllocatesNothingPerPacket() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        MemoryLink[] links = MemoryLink.pair(1472, 1024);
        EngineConfig config = EngineConfig.DEFAULT;
        Engine a = new Engine(links[0], config, NanoClock.SYSTEM, 1);
        Engine b = new Engine(links[1], config, NanoClock.SYSTEM, 2);
        InetSocketAddress x = new InetSocketAddress("10.0.0.1", 1000);
        InetSocketAddress y = new InetSocketAddress("10.0.0.2", 2000);
        Connection client = a.open(links[0].openRoute(x, y), Mode.STREAM, 1, null);
        Connection server = b.open(links[1].openRoute(y, x), Mode.STREAM, 2, null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((client.state() != ConnectionState.ESTABLISHED || server.state() != ConnectionState.ESTABLISHED)
                && System.nanoTime() < deadline) {
            a.doWork();
            b.doWork();
        }
        assertEquals(ConnectionState.ESTABLISHED, client.state());
        Pattern pattern = new Pattern(3);
        ByteBuffer out = ByteBuffer.allocateDirect(Pattern.PERIOD).limit(0);
        ByteBuffer in = ByteBuffer.allocateDirect(1 << 16);
        long total = 64L << 20;
        long tid = Thread.currentThread().threadId();
        long[] allocated = new long[2];
        long[] packets = new long[2];
        for (int phase = 0; phase < 2; phase++) {
            long before = threads.getThreadAllocatedBytes(tid);
            long packetsBefore = a.counters().get(EngineCounters.Counter.PACKETS_SENT);
            long written = 0;
            long read = 0;
            while (read < total && System.nanoTime() < deadline) {
                if (!out.hasRemaining() && written < total) {
                    out.clear();
                    pattern.fill(out, written, (int) Math.min(out.capacity(), total - written));
                    out.flip();
                }
                if (out.hasRemaining()) written += client.write(out);
                a.doWork();
                b.doWork();
                in.clear();
                read += server.read(in);
            }
            assertEquals(total, read, "bytes read in phase " + phase);
            allocated[phase] = threads.getThreadAllocatedBytes(tid) - before;
            packets[phase] = a.counters().get(EngineCounters.Counter.PACKETS_SENT) - packetsBefore;
        }
        assertTrue(packets[1] > 40_000, "packets sent: " + packets[1]);
        assertTrue(allocated[1] < packets[1], allocated[1] + " bytes allocated for " + packets[1]
                + " packets (warm-up phase: " + allocated[0] + ")");
    }
}
