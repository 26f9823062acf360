package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;

/**
 * The conformance suite with every connection it establishes moved onto a non-kernel transport
 * ({@link MemoryTuxTransport}) right after connect/accept: the selector polls its readiness, blocking operations use
 * the channel's begin/end hooks. Shows that a Tux transport that keeps {@link Transport}'s obligations gives the
 * JDK's behaviour; the real Tux-mode run will look like this with the engine's transport.
 */
class MemoryTuxModeConformanceTest extends NioConformanceSuite {

    private static final TuxSelectorProvider TUX = new TuxSelectorProvider(
            TuxConfig.of(Map.of("tux.log", "off", "tux.pollBudgetMicros", "20")));

    @Override
    protected SelectorProvider provider() {
        return TUX;
    }

    @Override
    protected void checkEstablished(SocketChannel client, SocketChannel accepted) {
        TuxSocketChannel c = assertInstanceOf(TuxSocketChannel.class, client);
        TuxSocketChannel a = assertInstanceOf(TuxSocketChannel.class, accepted);
        MemoryTuxTransport.pair(c, a);
        assertEquals(ConnectionMode.TUX, Tux.mode(c));
        assertEquals(ConnectionMode.TUX, Tux.mode(a));
    }
}
