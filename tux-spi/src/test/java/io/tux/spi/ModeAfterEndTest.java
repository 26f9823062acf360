package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection that ran on Tux reports TUX (and no fallback reason) also after its Tux connection ended: read to
 * its end, with both directions closed, it was carried by Tux and did not fall back. Here the cutover of at least
 * one direction makes it so; the case where the connection ended before either direction cut over (TUX since the
 * handshake completed, {@code TuxTransport.establishedOnTux}) depends on thread timing and was caught once by
 * {@code NetnsEndToEndTest}, not reproduced deterministically here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModeAfterEndTest {

    private TuxSelectorProvider tux;

    @AfterEach
    void stopStack() {
        if (tux != null && tux.runtime().stack() != null) tux.runtime().stack().close();
    }

    @Test
    void aConnectionReadToItsEndOnTuxStillReportsTux() throws Exception {
        tux = new TuxSelectorProvider(new TuxRuntime(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback",
                TuxConfig.LOG, "off")), PlatformProvider.find(), false));
        try (ServerSocketChannel server = tux.openServerSocketChannel()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = tux.openSocketChannel()) {
            client.connect(server.getLocalAddress());
            TuxSocketChannel c = (TuxSocketChannel) client;
            try (SocketChannel accepted = server.accept()) {
                Await.until(() -> Tux.mode(client) == ConnectionMode.TUX && Tux.mode(accepted) == ConnectionMode.TUX,
                        "both ends on Tux");
            }
            ByteBuffer in = ByteBuffer.allocate(2);
            int n;
            while ((n = client.read(in)) >= 0) {
                assertEquals(true, n >= 0);
            }
            assertEquals(0, in.position());
            client.shutdownOutput();
            TuxTransport t = assertInstanceOf(TuxTransport.class, c.transport());
            Await.until(() -> t.connection().state().isTerminal(), "the Tux connection to end");
            assertEquals(ConnectionMode.TUX, Tux.mode(client));
            assertNull(Tux.fallbackReason(client));
        }
    }
}
