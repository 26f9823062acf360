package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection is counted from the moment it is established, before its transport is decided. Found by the
 * integration suite (Netty across two namespaces): a Tux server whose peer closed while the handshake still ran,
 * and which then exited, printed {@code connections 1} for two connections, although the bytes of both were
 * counted; a connection that heard its peer but never completed the handshake was never counted at all.
 *
 * <p>Deterministic, no privileges: a Tux client (in-process loopback stack, a handshake timeout of a minute) against
 * a server of the JDK's own provider, which never answers the handshake.
 */
class UndecidedConnectionTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aConnectionIsCountedWhileItsHandshakeRunsAndDecidedWhenItEnds() throws Exception {
        TuxSelectorProvider tux = new TuxSelectorProvider(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback",
                TuxConfig.HANDSHAKE_TIMEOUT_MILLIS, "60000")));
        TuxStats stats = tux.runtime().stats;
        try (ServerSocketChannel server = tux.platformProvider().openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = tux.openSocketChannel()) {
            client.connect(server.getLocalAddress());
            try (SocketChannel accepted = server.accept()) {
                // the handshake runs (a minute): on kernel TCP, no reason yet, and counted as undecided
                assertEquals(ConnectionMode.KERNEL, Tux.mode(client));
                assertNull(Tux.fallbackReason(client));
                assertEquals("connections 1 (tux 0, kernel 0, undecided 1), bytes kernel in 0 out 0, bytes tux in 0 "
                        + "out 0", stats.summary());
                assertEquals(1, tux.runtime().stats.undecided());
                // bytes flow on TCP meanwhile, counted as kernel bytes
                assertEquals(3, client.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                ByteBuffer in = ByteBuffer.allocate(3);
                while (in.hasRemaining()) {
                    accepted.read(in);
                }
                assertEquals("connections 1 (tux 0, kernel 0, undecided 1), bytes kernel in 0 out 3, bytes tux in 0 "
                        + "out 0", stats.summary());
            }
            // the application lets go during the handshake: the network thread gives it up, and the connection is
            // decided: kernel TCP, closed during its handshake (nothing is concluded about the peer)
            client.close();
            Await.until(() -> stats.undecided() == 0, "the handshake given up after close");
            assertEquals("connections 1 (tux 0, kernel 1: CLOSED_DURING_HANDSHAKE=1), bytes kernel in 0 out 3, bytes tux in 0 "
                    + "out 0", stats.summary());
        }
    }
}
