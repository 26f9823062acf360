package io.tux.core.engine;

import static org.junit.jupiter.api.Assertions.*;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.sim.Impairments;
import io.tux.core.testing.EnginePair;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Orderly end of each direction, reset, and a peer that vanishes. */
class CloseTest {
    private static final long SECOND = 1_000_000_000L;

    private static ByteBuffer bytes(String s) { return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII)); }

    /** Reads everything until the end of the stream (or the limit of virtual time) and returns it as text. */
    private static String readToEnd(EnginePair p, Connection c) throws Exception {
        StringBuilder sb = new StringBuilder();
        ByteBuffer in = ByteBuffer.allocate(256);
        boolean[] end = {false};
        assertTrue(p.sim.runUntil(() -> {
            in.clear();
            int n = c.read(in);
            if (n < 0) return -1;
            sb.append(new String(in.array(), 0, n, StandardCharsets.US_ASCII));
            return n;
        }, 60 * SECOND), "no end of stream");
        return sb.toString();
    }

    /** Reads exactly {@code n} bytes (within a bounded virtual time) and returns them as text. */
    private static String readPrefix(EnginePair p, Connection c, int n) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(n);
        assertTrue(p.sim.runUntil(() -> {
            c.read(in);
            return in.hasRemaining() ? 0 : -1;
        }, 10 * SECOND), "bytes did not arrive");
        return new String(in.array(), 0, n, StandardCharsets.US_ASCII);
    }

    @Test
    void halfCloseEachDirectionInTurnThenBothClosed() throws Exception {
        EnginePair p = new EnginePair(21, Impairments.lossy(0.1, 0.1, 0.1), EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        p.client.write(bytes("request"));
        p.client.shutdownOutput();
        assertThrows(java.io.IOException.class, () -> p.client.write(bytes("more")));
        assertEquals("request", readToEnd(p, p.server));
        assertEquals(-1, p.server.read(ByteBuffer.allocate(8)), "end of stream is sticky");
        // The other direction still works after the client's FIN.
        p.server.write(bytes("response"));
        p.server.shutdownOutput();
        assertEquals("response", readToEnd(p, p.client));
        assertTrue(p.sim.runUntil(() -> p.client.state() == ConnectionState.CLOSED
                && p.server.state() == ConnectionState.CLOSED ? -1 : 0, 60 * SECOND));
        p.client.close();
        p.server.close();
        assertTrue(p.sim.runUntil(() -> p.a.connectionCount() + p.b.connectionCount() == 0 ? -1 : 0, 60 * SECOND),
                "closed connections are removed after the linger time");
    }

    @Test
    void abortResetsThePeer() throws Exception {
        EnginePair p = new EnginePair(22, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        p.client.abort();
        assertTrue(p.sim.runUntil(() -> p.server.state() == ConnectionState.RESET ? -1 : 0, SECOND));
        assertEquals(ConnectionState.ABORTED, p.client.state());
        TuxConnectionException e = assertThrows(TuxConnectionException.class, () -> p.server.read(ByteBuffer.allocate(8)));
        assertEquals("Connection reset", e.getMessage());
        assertEquals(ConnectionState.RESET, e.state());
        assertThrows(TuxConnectionException.class, () -> p.server.write(bytes("x")));
        assertEquals(1, p.b.counters().get(Counter.RESETS_RECEIVED));
    }

    @Test
    void abortDuringTheHandshakeResetsAPeerThatWasHeard() throws Exception {
        EnginePair p = new EnginePair(24, Impairments.NONE, EngineConfig.DEFAULT);
        // Only the server's first handshake gets through: the client learns the server's parameters and answers,
        // which establishes the server, but the client itself never becomes established.
        int[] fromServer = {0};
        p.sim.network().filter((from, route, packet, off, len) -> from == p.linkB && fromServer[0]++ > 0);
        p.client = p.a.open(p.routeA, Mode.STREAM, 1, null);
        p.server = p.b.open(p.routeB, Mode.STREAM, 2, null);
        assertTrue(p.sim.runUntil(() -> p.server.state() == ConnectionState.ESTABLISHED && p.client.peerHeard() ? -1 : 0,
                SECOND));
        assertEquals(ConnectionState.HANDSHAKING, p.client.state());
        p.client.abort();
        assertTrue(p.sim.runUntil(() -> p.server.state().isTerminal() ? -1 : 0, 60 * SECOND));
        assertEquals(ConnectionState.RESET, p.server.state(), "told at once, not timed out later");
        assertEquals(ConnectionState.HANDSHAKE_FAILED, p.client.state());
        assertEquals(1, p.a.counters().get(Counter.RESETS_SENT));
        assertEquals(1, p.b.counters().get(Counter.RESETS_RECEIVED));
    }

    @Test
    void abortDuringTheHandshakeSendsNothingToAPeerNeverHeard() throws Exception {
        EnginePair p = new EnginePair(25, Impairments.NONE, EngineConfig.DEFAULT);
        p.sim.network().filter((from, route, packet, off, len) -> from == p.linkB);
        p.client = p.a.open(p.routeA, Mode.STREAM, 1, null);
        p.server = p.b.open(p.routeB, Mode.STREAM, 2, null);
        assertTrue(p.sim.runUntil(() -> p.b.counters().get(Counter.PACKETS_RECEIVED) > 0 ? -1 : 0, SECOND));
        long sent = p.a.counters().get(Counter.PACKETS_SENT);
        p.client.abort();
        assertTrue(p.sim.runUntil(() -> p.client.state().isTerminal() ? -1 : 0, SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, p.client.state());
        assertEquals(0, p.a.counters().get(Counter.RESETS_SENT), "no id or token to address a reset with");
        assertEquals(sent, p.a.counters().get(Counter.PACKETS_SENT));
    }

    @Test
    void aHandshakeWhosePeerWentSilentEndsOnlyWhenTheApplicationBoundsIt() throws Exception {
        EnginePair p = new EnginePair(26, Impairments.NONE, EngineConfig.DEFAULT);
        // The server hears the client's first handshake only; then the client vanishes (its packets are lost).
        int[] fromClient = {0};
        p.sim.network().filter((from, route, packet, off, len) -> from == p.linkA && fromClient[0]++ > 0);
        p.client = p.a.open(p.routeA, Mode.STREAM, 1, null);
        p.server = p.b.open(p.routeB, Mode.STREAM, 2, null);
        assertTrue(p.sim.runUntil(() -> p.server.peerHeard() ? -1 : 0, SECOND));
        p.client.abort();
        // Having heard the peer, the server never gives up by time on its own...
        assertFalse(p.sim.runUntil(() -> p.server.state() != ConnectionState.HANDSHAKING ? -1 : 0, 30 * SECOND));
        // ...but does once the application bounds it (its TCP connection ended).
        long before = p.sim.clock().nanoTime();
        p.server.giveUpHandshakeAfter(SECOND);
        assertTrue(p.sim.runUntil(() -> p.server.state() != ConnectionState.HANDSHAKING ? -1 : 0, 10 * SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, p.server.state());
        assertTrue(p.sim.clock().nanoTime() - before >= SECOND, "not before the bound");
        assertTrue(p.sim.runUntil(() -> p.b.connectionCount() == 0 ? -1 : 0, SECOND), "and is dropped");
    }

    @Test
    void boundingAHandshakeThatCompletesChangesNothing() throws Exception {
        EnginePair p = new EnginePair(27, Impairments.NONE, EngineConfig.DEFAULT);
        p.client = p.a.open(p.routeA, Mode.STREAM, 1, null);
        p.server = p.b.open(p.routeB, Mode.STREAM, 2, null);
        p.server.giveUpHandshakeAfter(SECOND);
        assertTrue(p.sim.runUntil(() -> p.server.state() == ConnectionState.ESTABLISHED
                && p.client.state() == ConnectionState.ESTABLISHED ? -1 : 0, SECOND));
        assertFalse(p.sim.runUntil(() -> p.server.state() != ConnectionState.ESTABLISHED ? -1 : 0, 3 * SECOND / 2));
        p.client.write(bytes("still here"));
        assertEquals("still here", readPrefix(p, p.server, 10));
    }

    @Test
    void closeThrowsAwayUnreadAndLaterBytesWithoutAReset() throws Exception {
        EnginePair p = new EnginePair(23, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        p.client.write(bytes("unread"));
        assertTrue(p.sim.runUntil(() -> p.server.readableBytes() == 6 ? -1 : 0, SECOND));
        p.server.close();
        // The client sees the end of the stream, and what it writes afterwards is acknowledged and dropped.
        assertEquals("", readToEnd(p, p.client));
        p.client.write(bytes("after close"));
        assertTrue(p.sim.runUntil(() -> p.client.isFlushed() ? -1 : 0, SECOND));
        p.client.close();
        assertTrue(p.sim.runUntil(() -> p.a.connectionCount() + p.b.connectionCount() == 0 ? -1 : 0, 60 * SECOND));
        assertEquals(ConnectionState.CLOSED, p.client.state());
        assertEquals(ConnectionState.CLOSED, p.server.state());
        assertEquals(0, p.a.counters().get(Counter.RESETS_RECEIVED) + p.b.counters().get(Counter.RESETS_RECEIVED));
        assertEquals(6, p.b.counters().get(Counter.BYTES_DELIVERED), "bytes after the close were not delivered");
    }

    @Test
    void aPeerThatVanishesTimesOut() throws Exception {
        EnginePair p = new EnginePair(24, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        p.sim.network().filter((from, route, s, off, len) -> true); // the peer's host is gone
        p.client.write(bytes("hello?"));
        assertTrue(p.sim.runUntil(() -> p.client.state() == ConnectionState.TIMED_OUT ? -1 : 0, 600 * SECOND));
        TuxConnectionException e = assertThrows(TuxConnectionException.class, () -> p.client.read(ByteBuffer.allocate(8)));
        assertEquals("Connection timed out", e.getMessage());
        assertEquals(1, p.a.counters().get(Counter.CONNECTIONS_TIMED_OUT));
        assertEquals(EngineConfig.DEFAULT.maxRetransmits(), p.a.counters().get(Counter.RETRANSMITS_TIMEOUT));
    }

    @Test
    void anIdleReaderLearnsThatItsPeerDiedInsteadOfWaitingForever() throws Exception {
        EnginePair p = new EnginePair(28, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        p.sim.network().filter((from, route, s, off, len) -> from == p.linkB); // the server's process is gone
        long start = p.sim.clock().nanoTime();
        // The client only reads: nothing of its own is in flight, so no retransmission would ever notice.
        assertTrue(p.sim.runUntil(() -> p.client.state() == ConnectionState.TIMED_OUT ? -1 : 0, 600 * SECOND));
        TuxConnectionException e = assertThrows(TuxConnectionException.class, () -> p.client.read(ByteBuffer.allocate(8)));
        assertEquals("Connection timed out", e.getMessage());
        long waited = p.sim.clock().nanoTime() - start;
        assertTrue(waited >= 2 * SECOND && waited <= 30 * SECOND, "declared gone after " + waited + " ns (virtual)");
        assertEquals(Engine.KEEPALIVE_PROBES, p.a.counters().get(Counter.PROBES_SENT));
    }

    @Test
    void anIdleConnectionWithALivePeerStaysUp() throws Exception {
        EnginePair p = new EnginePair(29, Impairments.NONE, EngineConfig.DEFAULT);
        assertTrue(p.connect(Mode.STREAM));
        long until = p.sim.clock().nanoTime() + 120 * SECOND;
        assertFalse(p.sim.runUntil(() -> p.client.state() != ConnectionState.ESTABLISHED
                || p.server.state() != ConnectionState.ESTABLISHED ? -1 : 0, 120 * SECOND), "stayed established");
        assertTrue(p.sim.clock().nanoTime() >= until - 10 * SECOND, "two minutes of (virtual) idleness went by");
        assertTrue(p.a.counters().get(Counter.PROBES_SENT) > 0, "probes were answered");
    }

    @Test
    void aPeerThatNeverAnswersTheHandshakeFailsItInTime() throws Exception {
        EnginePair p = new EnginePair(25, Impairments.NONE, EngineConfig.DEFAULT);
        Connection lonely = p.a.open(p.routeA, Mode.STREAM, 0, null);
        long start = p.sim.clock().nanoTime();
        assertTrue(p.sim.runUntil(() -> lonely.state() != ConnectionState.HANDSHAKING ? -1 : 0, 60 * SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, lonely.state());
        assertEquals(start + EngineConfig.DEFAULT.handshakeTimeoutNanos(), p.sim.clock().nanoTime(),
                "fails exactly at the handshake timeout (virtual time)");
        assertEquals(1, p.a.counters().get(Counter.HANDSHAKES_FAILED));
        assertThrows(TuxConnectionException.class, () -> lonely.read(ByteBuffer.allocate(1)));
    }

    @Test
    void anEndThatHeardItsPeerNeverGivesUpEvenIfItsOwnHandshakesAreLost() throws Exception {
        EnginePair p = new EnginePair(27, Impairments.NONE, EngineConfig.DEFAULT);
        // Everything the server sends is lost for three handshake timeouts; the client's packets arrive.
        long until = p.sim.clock().nanoTime() + 3 * EngineConfig.DEFAULT.handshakeTimeoutNanos();
        p.sim.network().filter((from, route, s, off, len) -> from == p.linkB && p.sim.clock().nanoTime() < until);
        Connection c = p.a.open(p.routeA, Mode.STREAM, 0, null);
        Connection s = p.b.open(p.routeB, Mode.STREAM, 0, null);
        assertTrue(p.sim.runUntil(() -> c.state() != ConnectionState.HANDSHAKING ? -1 : 0, 60 * SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, c.state(), "the client never heard the server: not Tux");
        assertTrue(p.sim.clock().nanoTime() < until);
        // The server heard the client, so it is still trying when the link heals; it never established, so
        // it never sent data on Tux, and it reports no failure of its own.
        assertEquals(ConnectionState.HANDSHAKING, s.state());
        assertEquals(0, p.b.counters().get(Counter.HANDSHAKES_FAILED));
        // Once its application lets go, it stops trying and is dropped (connections that come and go fast must
        // not pile up in the handshake).
        s.close();
        assertTrue(p.sim.runUntil(() -> p.b.connectionCount() == 0 ? -1 : 0, SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, s.state());
    }

    @Test
    void modesThatDisagreeFailTheHandshake() throws Exception {
        EnginePair p = new EnginePair(26, Impairments.NONE, EngineConfig.DEFAULT);
        Connection c = p.a.open(p.routeA, Mode.STREAM, 0, null);
        Connection s = p.b.open(p.routeB, Mode.MESSAGE, 0, null);
        assertTrue(p.sim.runUntil(() -> c.state() != ConnectionState.HANDSHAKING
                && s.state() != ConnectionState.HANDSHAKING ? -1 : 0, 60 * SECOND));
        assertEquals(ConnectionState.HANDSHAKE_FAILED, c.state());
        assertEquals(ConnectionState.HANDSHAKE_FAILED, s.state());
    }
}
