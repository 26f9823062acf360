package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.sim.Impairments;
import io.tux.core.sim.SimulatedLink;
import io.tux.core.sim.Simulation;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Connections that come and go (a connection pool, an HTTP client) must not pile up: a connection both of
 * whose directions ended is dropped as soon as the application closed it, with its buffers. 3000 connections
 * in a row, each holding half a megabyte of rings per end, would need 3 GB if they were kept.
 */
class ChurnTest {

    @Test
    void closedConnectionsAreDroppedAtOnce() throws Exception {
        Simulation sim = new Simulation(99, Impairments.NONE);
        SimulatedLink la = sim.attach("10.0.0.1");
        SimulatedLink lb = sim.attach("10.0.0.2");
        Engine a = sim.engine(la, EngineConfig.DEFAULT);
        Engine b = sim.engine(lb, EngineConfig.DEFAULT);
        ByteBuffer in = ByteBuffer.allocate(2048);
        for (int i = 0; i < 3000; i++) {
            InetSocketAddress x = new InetSocketAddress("10.0.0.1", 20000 + i);
            InetSocketAddress y = new InetSocketAddress("10.0.0.2", 80);
            Connection c = a.open(la.openRoute(x, y), Mode.STREAM, 0, null);
            Connection s = b.open(lb.openRoute(y, x), Mode.STREAM, 0, null);
            assertTrue(sim.runUntil(() -> c.state() == ConnectionState.ESTABLISHED
                    && s.state() == ConnectionState.ESTABLISHED ? -1 : 0, 1_000_000_000L), "handshake " + i);
            assertEquals(1024, c.write(ByteBuffer.allocate(1024)));
            c.close();
            in.clear();
            long[] got = {0};
            assertTrue(sim.runUntil(() -> {
                int n = s.read(in.clear());
                if (n > 0) got[0] += n;
                return n < 0 ? -1 : n;
            }, 1_000_000_000L), "request and end of stream " + i);
            assertEquals(1024, got[0]);
            s.close();
            // Within a few round trips of virtual time, not after a linger of seconds.
            assertTrue(sim.runUntil(() -> a.connectionCount() + b.connectionCount() == 0 ? -1 : 0, 1_000_000L),
                    "connection " + i + " dropped on both ends within 1 ms");
            assertEquals(ConnectionState.CLOSED, c.state());
            assertEquals(ConnectionState.CLOSED, s.state());
        }
    }
}
