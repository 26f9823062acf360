package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;

/**
 * The conformance suite in Tux mode: every connection's handshake succeeds on the in-process loopback stack and
 * the connection is cut over to Tux, direction by direction, while the suite's expectations stay the JDK's.
 */
class TuxModeConformanceTest extends NioConformanceSuite {

    private static final TuxSelectorProvider TUX = new TuxSelectorProvider(TuxConfig.of(Map.of(
            TuxConfig.STACK, "loopback")));

    @Override
    protected SelectorProvider provider() {
        return TUX;
    }

    @Override
    protected void checkEstablished(SocketChannel client, SocketChannel accepted) {
        for (SocketChannel ch : new SocketChannel[] {client, accepted}) {
            TuxSocketChannel t = assertInstanceOf(TuxSocketChannel.class, ch);
            Await.until(() -> t.mode() == ConnectionMode.TUX, "Tux handshake of " + t);
            assertNull(t.fallbackReason());
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void report() {
        TuxStats s = TUX.runtime().stats;
        System.out.println("Loopback conformance: connections on Tux " + s.connectionsOnTux.sum() + " of "
                + s.connectionsOpened.sum() + " (kernel: " + s.onKernelByReason() + ")");
    }
}
