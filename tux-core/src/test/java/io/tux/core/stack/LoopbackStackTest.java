package io.tux.core.stack;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.EngineConfig;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopbackStackTest {

    @Test
    void bothEndsInOneProcessHandshakeAndTalk() throws Exception {
        try (LoopbackStack stack = new LoopbackStack(EngineConfig.DEFAULT, 0)) {
            InetSocketAddress a = new InetSocketAddress("127.0.0.1", 41000);
            InetSocketAddress b = new InetSocketAddress("127.0.0.1", 5555);
            CountDownLatch established = new CountDownLatch(2);
            CountDownLatch readable = new CountDownLatch(1);
            ConnectionListener onEstablished = new ConnectionListener() {
                @Override public void onStateChanged(Connection c, ConnectionState s) {
                    if (s == ConnectionState.ESTABLISHED) established.countDown();
                }
            };
            Connection client = stack.open(a, b, 7, onEstablished);
            Connection server = stack.open(b, a, 9, new ConnectionListener() {
                @Override public void onStateChanged(Connection c, ConnectionState s) { onEstablished.onStateChanged(c, s); }
                @Override public void onReadable(Connection c) { if (c.readableBytes() == 5) readable.countDown(); }
            });
            assertTrue(established.await(10, TimeUnit.SECONDS));
            assertEquals(9, client.remoteAppData());
            assertEquals(7, server.remoteAppData());
            assertEquals(5, client.write(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII))));
            assertTrue(readable.await(10, TimeUnit.SECONDS));
            ByteBuffer in = ByteBuffer.allocate(16);
            assertEquals(5, server.read(in));
            assertEquals("hello", new String(in.array(), 0, 5, StandardCharsets.US_ASCII));
            stack.release(client);
            stack.release(server);
        }
    }

    /** tux.engineThreads for the loopback stack: N engines, both ends of a pair on one, pairs spread over all. */
    @Test
    void connectionsSpreadOverEnginesWithBothEndsOnOne() throws Exception {
        int engines = 4;
        int pairs = 32;
        try (LoopbackStack stack = new LoopbackStack(EngineConfig.DEFAULT, 0, engines)) {
            assertEquals(engines, stack.engineCount());
            CountDownLatch established = new CountDownLatch(2 * pairs);
            ConnectionListener l = new ConnectionListener() {
                @Override public void onStateChanged(Connection c, ConnectionState s) {
                    if (s == ConnectionState.ESTABLISHED) established.countDown();
                }
            };
            int[] expected = new int[engines];
            Connection[][] ends = new Connection[pairs][];
            for (int p = 0; p < pairs; p++) {
                InetSocketAddress a = new InetSocketAddress("127.0.0.1", 42000 + p);
                InetSocketAddress b = new InetSocketAddress("127.0.0.1", 6000);
                int e = stack.engineIndexOf(a, b);
                assertEquals(e, stack.engineIndexOf(b, a));
                expected[e] += 2;
                ends[p] = new Connection[] {stack.open(a, b, p, l), stack.open(b, a, p, l)};
                assertTrue(ends[p][0].engineIs(stack.engine(e)));
                assertTrue(ends[p][1].engineIs(stack.engine(e)));
            }
            assertTrue(established.await(20, TimeUnit.SECONDS), "every pair established");
            int used = 0;
            for (int e = 0; e < engines; e++) {
                assertEquals(expected[e], stack.engine(e).connectionCount(), "connections of engine " + e);
                if (expected[e] > 0) used++;
            }
            assertTrue(used > 1, "pairs spread over more than one engine: " + java.util.Arrays.toString(expected));
            for (Connection[] pair : ends) {
                assertEquals(ConnectionState.ESTABLISHED, pair[0].state());
                assertEquals(ConnectionState.ESTABLISHED, pair[1].state());
            }
        }
    }
}
