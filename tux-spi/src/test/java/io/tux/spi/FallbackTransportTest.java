package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection whose peer does not run Tux, after its handshake timed out, is served by a plain
 * {@link KernelTransport} as if Tux had never been tried: its reads and writes go straight to TCP, a selection key
 * made during the handshake keeps working, and the Tux transport with its engine connection (half a MiB of
 * buffers) is garbage, not kept for the life of the channel.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallbackTransportTest {

    private static final SelectorProvider JDK = PlatformProvider.find().provider();

    private TuxSelectorProvider tux;

    @AfterEach
    void stopStack() {
        if (tux != null && tux.runtime().stack() != null) tux.runtime().stack().close();
    }

    @Test
    void afterAnUnansweredHandshakeTheChannelRunsOnAPlainKernelTransport() throws Exception {
        tux = new TuxSelectorProvider(new TuxRuntime(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback",
                TuxConfig.HANDSHAKE_TIMEOUT_MILLIS, "50", TuxConfig.PEER_CACHE_MILLIS, "0", TuxConfig.LOG, "off")),
                PlatformProvider.find(), false));
        try (ServerSocketChannel server = JDK.openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TuxSocketChannel client = (TuxSocketChannel) tux.openSocketChannel();
             Selector selector = tux.openSelector()) {
            client.connect(server.getLocalAddress());
            try (SocketChannel peer = server.accept()) {
                WeakReference<Transport> during = new WeakReference<>(
                        assertInstanceOf(TuxTransport.class, client.transport(), "the handshake runs"));
                client.configureBlocking(false);
                SelectionKey key = client.register(selector, SelectionKey.OP_READ);

                Await.until(() -> client.fallbackReason() == FallbackReason.PEER_NOT_TUX, "the handshake to time out");
                assertInstanceOf(KernelTransport.class, client.transport());
                assertEquals(ConnectionMode.KERNEL, client.mode());
                assertEquals(FallbackReason.PEER_NOT_TUX, client.fallbackReason());

                // the key made during the handshake reports the peer's bytes, which arrive exact
                byte[] fromPeer = new byte[1000];
                for (int i = 0; i < fromPeer.length; i++) fromPeer[i] = (byte) (i * 7 + 1);
                peer.write(ByteBuffer.wrap(fromPeer));
                ByteBuffer got = ByteBuffer.allocate(fromPeer.length);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (got.hasRemaining()) {
                    assertTrue(System.nanoTime() < deadline, "bytes did not arrive: " + got);
                    if (selector.select(1000) > 0) {
                        assertSame(key, selector.selectedKeys().iterator().next());
                        selector.selectedKeys().clear();
                        client.read(got);
                    }
                }
                assertEquals(ByteBuffer.wrap(fromPeer), got.flip());

                // and ours reach the peer exact
                byte[] toPeer = new byte[1000];
                for (int i = 0; i < toPeer.length; i++) toPeer[i] = (byte) (i * 13 + 5);
                ByteBuffer out = ByteBuffer.wrap(toPeer);
                while (out.hasRemaining()) client.write(out);
                ByteBuffer in = ByteBuffer.allocate(toPeer.length);
                while (in.hasRemaining()) assertTrue(peer.read(in) > 0);
                assertEquals(ByteBuffer.wrap(toPeer), in.flip());
                assertEquals(2000, tux.runtime().stats.bytesReadKernel.sum() + tux.runtime().stats.bytesWrittenKernel.sum());

                // nothing of ours keeps the Tux transport (and its connection's buffers) alive
                for (int i = 0; i < 50 && during.get() != null; i++) {
                    System.gc();
                    Thread.onSpinWait();
                }
                assertNull(during.get(), "the failed Tux transport is still reachable");
            }
        }
    }
}
