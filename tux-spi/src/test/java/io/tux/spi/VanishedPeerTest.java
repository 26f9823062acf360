package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.engine.Engine;
import io.tux.core.link.LoopbackLink;
import io.tux.core.packet.Handshake;
import io.tux.core.packet.PacketCodec;
import io.tux.core.packet.TuxHeader;
import io.tux.core.stack.LoopbackStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that vanishes in the middle of the handshake, after the server heard it but before it heard the
 * server (so it cannot reset the server's Tux connection): once the TCP reset arrives, the server's channel
 * must still come to an end (selected readable, "Connection reset"), and its Tux connection must go, instead of
 * handshaking for ever with a selection key that never fires (connections piled up in the connect benchmark).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VanishedPeerTest {

    @Test
    void theServerSideEndsAfterTheHandshakeTimeoutOnceTcpWasReset() throws Exception {
        TuxSelectorProvider tux = new TuxSelectorProvider(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback",
                TuxConfig.HANDSHAKE_TIMEOUT_MILLIS, "50", TuxConfig.LOG, "off")));
        LoopbackStack stack = assertInstanceOf(LoopbackStack.class, tux.runtime().stack());
        try {
            Engine engine = stack.engine();
            AtomicBoolean serverOpen = new AtomicBoolean();
            AtomicInteger clientHandshakesDelivered = new AtomicInteger();
            int clientId = 1; // the first connection this fresh engine opens
            stack.link().impairment((s, off, len) -> {
                if (PacketCodec.type(s, off) != TuxHeader.TYPE_HANDSHAKE) return LoopbackLink.Fate.DELIVER;
                int sender = PacketCodec.getInt(s, off + TuxHeader.LENGTH + Handshake.OFFSET_CONNECTION_ID);
                if (sender != clientId) return LoopbackLink.Fate.DROP; // the client never hears the server
                // exactly one of the client's handshakes reaches the server, once it has its connection
                return serverOpen.get() && clientHandshakesDelivered.getAndIncrement() == 0
                        ? LoopbackLink.Fate.DELIVER : LoopbackLink.Fate.DROP;
            });
            try (ServerSocketChannel ssc = tux.openServerSocketChannel();
                 Selector selector = tux.openSelector()) {
                ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                SocketChannel client = tux.openSocketChannel();
                client.connect(ssc.getLocalAddress());
                TuxSocketChannel server = (TuxSocketChannel) ssc.accept();
                serverOpen.set(true);
                Await.until(() -> clientHandshakesDelivered.get() > 0 && engine.counters()
                        .get(io.tux.core.engine.EngineCounters.Counter.PACKETS_RECEIVED) > 0, "the server to hear the client");
                server.configureBlocking(false);
                SelectionKey key = server.register(selector, SelectionKey.OP_READ);
                client.setOption(StandardSocketOptions.SO_LINGER, 0);
                client.close(); // a TCP reset; the client's Tux side is given up without a word (it knows no id)

                ByteBuffer buf = ByteBuffer.allocate(16);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                SocketException reset = null;
                while (reset == null) {
                    assertTrue(System.nanoTime() < deadline, "the server's channel never came to an end: "
                            + server.transport());
                    selector.select(100);
                    if (selector.selectedKeys().remove(key)) {
                        try {
                            int n = server.read(buf);
                            assertEquals(0, n, "no byte was sent");
                        } catch (SocketException e) {
                            reset = e;
                        }
                    }
                }
                assertEquals("Connection reset", reset.getMessage());
                Await.until(() -> engine.connectionCount() == 0, "the engine to drop both Tux connections");
                server.close();
            }
        } finally {
            stack.close();
        }
    }
}
