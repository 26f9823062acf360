package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.EngineCounters;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.core.testing.Pattern;
import io.tux.xdp.link.AfXdpLink;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * As root: an {@link AfXdpStack} on {@code lo} (generic XDP) carries a Tux connection between two address pairs
 * of this JVM, engine and network thread included: 1,000,000 packets' worth of data (1,440,000,000 bytes, a
 * 1440-byte payload each) one way, every byte checked against the pattern, then the FIN, and exactly that many
 * bytes before the end of the stream. {@code -Dtux.stack.bytes=N} moves N bytes instead (quicker runs by hand).
 * lo is shared with every process of the machine: when another one holds its XDP hook or queue, this test
 * cannot run (skipped, or failed under CI=true).
 */
class StackLoopbackTest {

    static final long PACKETS_WORTH = 1_000_000L * 1440;

    @Test
    void movesAMillionPacketsWorthOverLoExactly() throws Exception {
        Root.require();
        long total = Long.getLong("tux.stack.bytes", PACKETS_WORTH);
        int p1 = ThreadLocalRandom.current().nextInt(20_000, 30_000);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", p1);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", p1 + 1);
        EngineConfig config = EngineConfig.DEFAULT.withWindow(512).withBuffers(1 << 22, 1 << 22);
        int lo = NetworkInterface.getByName("lo").getIndex();
        try (AfXdpStack stack = new AfXdpStack(config, TimeUnit.MICROSECONDS.toNanos(200))) {
            StreamPump sender = new StreamPump();
            StreamPump receiver = new StreamPump();
            Connection client;
            Connection server;
            try {
                client = stack.open(a, b, 1, sender.listener());
                server = stack.open(b, a, 2, receiver.listener());
            } catch (TuxUnavailableException e) {
                if (e.reason() == TuxUnavailableException.Reason.INTERFACE_BUSY
                        || e.reason() == TuxUnavailableException.Reason.QUEUE_BUSY) {
                    Root.unavailable("lo is taken by another process: " + e.getMessage());
                }
                throw e;
            }
            AfXdpLink link = stack.link("lo", 0);
            assertNotNull(link);
            assertEquals(XdpProgram.Mode.GENERIC, link.socket().mode(), "lo has no driver XDP");
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(lo));
            assertEquals(2, link.routeCount());
            assertEquals(ConnectionState.ESTABLISHED, sender.awaitHandshake(client, StreamPump.deadlineIn(20)));
            assertEquals(ConnectionState.ESTABLISHED, receiver.awaitHandshake(server, StreamPump.deadlineIn(20)));
            assertEquals(2, client.remoteAppData());
            assertEquals(1, server.remoteAppData());

            Pattern pattern = new Pattern(0x5EED_1DL);
            long deadline = StreamPump.deadlineIn(900);
            long start = System.nanoTime();
            CompletableFuture<Long> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    return sender.send(client, pattern, total, deadline);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> Thread.ofPlatform().name("tux-lo-sender").start(r));
            StreamPump.Received got = receiver.receive(server, pattern, deadline);
            long elapsed = System.nanoTime() - start;
            assertEquals(total, (long) sent.get(60, TimeUnit.SECONDS), "bytes written");
            assertEquals(-1, got.firstMismatch(), "first wrong byte");
            assertEquals(total, got.bytes(), "bytes read before the end of the stream");
            assertTrue(got.eof(), "end of stream seen");
            EngineCounters counters = stack.engine("lo", 0).counters();
            System.out.printf(Locale.ROOT, "lo: %d bytes in %.2f s = %.1f MB/s, link MTU %d; %s; XDP statistics %s%n",
                    total, elapsed / 1e9, total / 1e6 / (elapsed / 1e9), link.mtu(), counters,
                    java.util.Arrays.toString(link.socket().statistics()));
            assertEquals(0, link.malformed(), "frames the link could not parse");

            server.close();
            client.close();
            stack.release(client);
            stack.release(server);
            assertEquals(0, link.routeCount());
        }
        assertNull(XdpProgram.attachedProgramName(lo), "the program left lo with the stack");
    }
}
