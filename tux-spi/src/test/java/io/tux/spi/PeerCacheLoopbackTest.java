package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tux.core.engine.EngineCounters.Counter;
import io.tux.core.stack.LoopbackStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The negative peer cache end to end over the in-process loopback stack: a Tux end talking to a JDK end learns,
 * from one handshake that timed out while the channel was open, that the peer does not run Tux; later connections
 * to (or from) it are KERNEL / PEER_NOT_TUX at once without a handshake packet; the entry expires; a connection
 * closed during its handshake teaches nothing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCacheLoopbackTest {

    private static final SelectorProvider JDK = PlatformProvider.find().provider();

    /** The runtime's clock: real time plus what the test skips. */
    private final AtomicLong skipped = new AtomicLong();

    private final java.util.List<TuxSelectorProvider> made = new java.util.ArrayList<>();

    @AfterEach
    void stopStacks() {
        for (TuxSelectorProvider p : made) {
            if (p.runtime().stack() != null) p.runtime().stack().close();
        }
    }

    private TuxSelectorProvider tux(String peerCacheMillis) {
        TuxSelectorProvider p = new TuxSelectorProvider(new TuxRuntime(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback",
                TuxConfig.HANDSHAKE_TIMEOUT_MILLIS, "50", TuxConfig.PEER_CACHE_MILLIS, peerCacheMillis,
                TuxConfig.LOG, "off")), PlatformProvider.find(), false, () -> System.nanoTime() + skipped.get()));
        made.add(p);
        return p;
    }

    private static long sent(TuxSelectorProvider p) {
        return assertInstanceOf(LoopbackStack.class, p.runtime().stack()).engine().counters().get(Counter.PACKETS_SENT);
    }

    private static long handshakesFailed(TuxSelectorProvider p) {
        return assertInstanceOf(LoopbackStack.class, p.runtime().stack()).engine().counters()
                .get(Counter.HANDSHAKES_FAILED);
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    @Test
    void aClientSkipsTheHandshakeToAServerThatDidNotAnswerUntilTheEntryExpires() throws Exception {
        TuxSelectorProvider tux = tux("60000");
        try (ServerSocketChannel server = JDK.openServerSocketChannel().bind(loopback());
             TuxSocketChannel first = (TuxSocketChannel) tux.openSocketChannel()) {
            first.connect(server.getLocalAddress());
            server.accept().close();
            Await.until(() -> first.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the first handshake to time out");
            assertEquals(1, tux.runtime().peers.size());
            long sentBefore = sent(tux);
            assertEquals(1, handshakesFailed(tux));

            try (TuxSocketChannel second = (TuxSocketChannel) tux.openSocketChannel()) {
                second.connect(server.getLocalAddress());
                server.accept().close();
                assertEquals(ConnectionMode.KERNEL, second.mode());
                assertEquals(FallbackReason.PEER_NOT_TUX, second.fallbackReason(), "known at once, from the cache");
                assertInstanceOf(KernelTransport.class, second.transport(), "no Tux transport, no engine connection");
                assertEquals(1, tux.runtime().peers.hits());
            }
            assertEquals(sentBefore, sent(tux), "no handshake packet for the second connection");
            assertEquals(2, tux.runtime().stats.onKernelByReason().get(FallbackReason.PEER_NOT_TUX.name()));

            skipped.addAndGet(TimeUnit.SECONDS.toNanos(60));
            try (TuxSocketChannel third = (TuxSocketChannel) tux.openSocketChannel()) {
                third.connect(server.getLocalAddress());
                server.accept().close();
                assertNull(third.fallbackReason(), "the entry expired: the handshake runs again");
                assertInstanceOf(TuxTransport.class, third.transport());
                Await.until(() -> third.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the third handshake to time out");
            }
            assertEquals(1, tux.runtime().peers.hits());
            assertEquals(2, handshakesFailed(tux));
            long handshakes = sent(tux) - sentBefore;
            assertEquals(true, handshakes > 0, "the third connection sent handshakes: " + handshakes);
        }
    }

    @Test
    void aServerSkipsTheHandshakeForAClientAddressThatDidNotAnswer() throws Exception {
        TuxSelectorProvider tux = tux("60000");
        try (ServerSocketChannel server = tux.openServerSocketChannel().bind(loopback());
             SocketChannel client1 = JDK.openSocketChannel()) {
            client1.connect(server.getLocalAddress());
            TuxSocketChannel accepted1 = (TuxSocketChannel) server.accept();
            Await.until(() -> accepted1.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the handshake to time out");
            long sentBefore = sent(tux);
            try (SocketChannel client2 = JDK.openSocketChannel()) {
                client2.connect(server.getLocalAddress());
                TuxSocketChannel accepted2 = (TuxSocketChannel) server.accept();
                assertEquals(FallbackReason.PEER_NOT_TUX, accepted2.fallbackReason(), "another port, same address");
                assertInstanceOf(KernelTransport.class, accepted2.transport());
                accepted2.close();
            }
            assertEquals(sentBefore, sent(tux));
            accepted1.close();
        }
    }

    @Test
    void aConnectionClosedDuringItsHandshakeTeachesNothing() throws Exception {
        TuxSelectorProvider tux = tux("60000");
        try (ServerSocketChannel server = JDK.openServerSocketChannel().bind(loopback())) {
            TuxSocketChannel ch = (TuxSocketChannel) tux.openSocketChannel();
            ch.connect(server.getLocalAddress());
            server.accept().close();
            ch.close();
            Await.until(() -> handshakesFailed(tux) == 1, "the engine to give the closed connection's handshake up");
            Await.until(() -> assertInstanceOf(LoopbackStack.class, tux.runtime().stack()).engine().connectionCount()
                    == 0, "the engine to drop it");
            assertEquals(0, tux.runtime().peers.size());
            try (TuxSocketChannel next = (TuxSocketChannel) tux.openSocketChannel()) {
                next.connect(server.getLocalAddress());
                server.accept().close();
                assertInstanceOf(TuxTransport.class, next.transport(), "the next connection tries the handshake");
            }
        }
    }

    /**
     * A Tux server that accepts a connection later than the handshake timeout does not answer that handshake:
     * the connection stays on kernel TCP, but the server is not remembered as not running Tux, because a
     * handshake with it completed moments before; the next connection goes on Tux.
     */
    @Test
    void aLateAcceptByAServerThatRanTuxIsNotRememberedAsNotTux() throws Exception {
        TuxSelectorProvider tux = tux("60000");
        try (ServerSocketChannel server = tux.openServerSocketChannel().bind(loopback());
             TuxSocketChannel first = (TuxSocketChannel) tux.openSocketChannel();
             TuxSocketChannel late = (TuxSocketChannel) tux.openSocketChannel();
             TuxSocketChannel next = (TuxSocketChannel) tux.openSocketChannel()) {
            first.connect(server.getLocalAddress());
            try (TuxSocketChannel accepted = (TuxSocketChannel) server.accept()) {
                Await.until(() -> first.mode() == ConnectionMode.TUX && accepted.mode() == ConnectionMode.TUX,
                        "the first connection on Tux");

                late.connect(server.getLocalAddress()); // accepted only after its handshake timed out
                Await.until(() -> late.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the handshake to time out");
                try (TuxSocketChannel lateAccepted = (TuxSocketChannel) server.accept()) {
                    Await.until(() -> lateAccepted.fallbackReason() == FallbackReason.PEER_NOT_TUX,
                            "the server's handshake to time out");
                    assertEquals(2, tux.runtime().peers.forgiven(), "the client's timeout and the server's");
                    assertEquals(0, tux.runtime().peers.size(), "nobody remembered as not running Tux");

                    next.connect(server.getLocalAddress());
                    assertInstanceOf(TuxTransport.class, next.transport(), "the next connection tries the handshake");
                    try (TuxSocketChannel nextAccepted = (TuxSocketChannel) server.accept()) {
                        Await.until(() -> next.mode() == ConnectionMode.TUX && nextAccepted.mode() == ConnectionMode.TUX,
                                "the next connection on Tux");
                    }
                }
            }
        }
    }

    @Test
    void aZeroTimeToLiveAlwaysTriesTheHandshake() throws Exception {
        TuxSelectorProvider tux = tux("0");
        try (ServerSocketChannel server = JDK.openServerSocketChannel().bind(loopback());
             TuxSocketChannel first = (TuxSocketChannel) tux.openSocketChannel()) {
            first.connect(server.getLocalAddress());
            server.accept().close();
            Await.until(() -> first.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the handshake to time out");
            try (TuxSocketChannel second = (TuxSocketChannel) tux.openSocketChannel()) {
                second.connect(server.getLocalAddress());
                server.accept().close();
                assertInstanceOf(TuxTransport.class, second.transport());
            }
            assertEquals(0, tux.runtime().peers.size());
        }
    }
}
