package io.tux.xdp.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionListener;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.xdp.support.Root;
import io.tux.xdp.xsk.XdpProgram;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * As root, on {@code lo}: a link that no connection uses any more is closed after its idle time, and its XDP
 * program leaves the interface ({@link AfXdpStack.IdleClose}); the next connection sets it up again. What a
 * program whose peers do not run Tux needs: the handshake fails, the connection goes, and so does the program.
 */
class StackIdleCloseTest {
    private static final long WAIT_SECONDS = 20;

    /** Releases each connection the engine drops, as the provider does, and counts them. */
    private static final class Releasing implements ConnectionListener {
        private final AfXdpStack stack;
        final CountDownLatch removed;

        Releasing(AfXdpStack stack, int expected) {
            this.stack = stack;
            this.removed = new CountDownLatch(expected);
        }

        @Override
        public void onRemoved(Connection c) {
            stack.release(c);
            removed.countDown();
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        for (int turn = 0; !condition.getAsBoolean(); turn++) {
            assertTrue(System.nanoTime() < deadline, "not within " + WAIT_SECONDS + " s: " + what);
            Thread.onSpinWait();
            if (turn % 64 == 63) {
                Thread.yield();
            }
        }
    }

    @Test
    void anUnansweredHandshakeLeavesNoProgramBehindAndTheNextConnectionAttachesAgain() throws Exception {
        Root.require();
        int lo = NetworkInterface.getByName("lo").getIndex();
        int port = ThreadLocalRandom.current().nextInt(30_000, 40_000);
        InetSocketAddress a = new InetSocketAddress("127.0.0.1", port);
        InetSocketAddress b = new InetSocketAddress("127.0.0.1", port + 1);
        EngineConfig config = EngineConfig.DEFAULT.withHandshakeTimeoutNanos(TimeUnit.MILLISECONDS.toNanos(200));
        AfXdpStack.Options options = AfXdpStack.Options.DEFAULT
                .withIdleClose(AfXdpStack.IdleClose.after(Duration.ofMillis(100)));
        try (AfXdpStack stack = new AfXdpStack(config, 0, options)) {
            // 1. Nobody answers at b: the handshake fails, the engine drops the connection, the link closes.
            Releasing lonely = new Releasing(stack, 1);
            Connection unanswered;
            try {
                unanswered = stack.open(a, b, 0, lonely);
            } catch (TuxUnavailableException e) {
                if (e.reason() == TuxUnavailableException.Reason.INTERFACE_BUSY
                        || e.reason() == TuxUnavailableException.Reason.QUEUE_BUSY) {
                    Root.unavailable("lo is taken by another process: " + e.getMessage());
                }
                throw e;
            }
            Engine first = stack.engine("lo", 0);
            assertNotNull(first);
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(lo));
            assertTrue(lonely.removed.await(WAIT_SECONDS, TimeUnit.SECONDS), "handshake never ended");
            assertEquals(ConnectionState.HANDSHAKE_FAILED, unanswered.state());
            await(() -> stack.link("lo", 0) == null, "the idle link closed");
            assertEquals(1, stack.linksClosedWhenIdle());
            assertNull(XdpProgram.attachedProgramName(lo), "the program left lo with its last link");
            assertTrue(first.retired(), "the closed link's engine can no longer be driven");
            assertEquals(-1, first.drive(), "a late caller does not touch the freed rings");
            assertTrue(stack.counters().contains("HANDSHAKES_FAILED=1"), stack.counters());

            // 2. Two ends that both run Tux: the link comes back, the connection is established, then both go
            // and the link closes again.
            Releasing pair = new Releasing(stack, 2);
            Connection client = stack.open(a, b, 1, pair);
            Connection server = stack.open(b, a, 2, pair);
            Engine second = stack.engine("lo", 0);
            assertNotNull(second);
            assertTrue(second != first, "a new engine on a new link");
            assertEquals(XdpProgram.PROGRAM_NAME, XdpProgram.attachedProgramName(lo));
            await(() -> client.state() == ConnectionState.ESTABLISHED && server.state() == ConnectionState.ESTABLISHED,
                    "the handshake over the new link");
            assertEquals(2, client.remoteAppData());
            assertSame(second, stack.engine("lo", 0), "a link with connections stays");
            client.close();
            server.close();
            assertTrue(pair.removed.await(WAIT_SECONDS, TimeUnit.SECONDS), "closed connections never dropped");
            await(() -> stack.link("lo", 0) == null, "the idle link closed again");
            assertEquals(2, stack.linksClosedWhenIdle());
            assertNull(XdpProgram.attachedProgramName(lo));
            assertEquals(2, second.counters().get(Counter.HANDSHAKES_COMPLETED), "both ends' handshakes");
            // the summary keeps what both closed engines counted
            assertTrue(stack.counters().contains("HANDSHAKES_COMPLETED=2 "), stack.counters());
            assertTrue(stack.counters().contains("HANDSHAKES_FAILED=1 "), stack.counters());
            assertTrue(stack.describe().endsWith("links set up 2, closed when idle 2"), stack.describe());
        }
        assertNull(XdpProgram.attachedProgramName(lo));
    }
}
