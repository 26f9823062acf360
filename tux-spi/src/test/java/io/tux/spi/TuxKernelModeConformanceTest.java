package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;

/**
 * The conformance suite against {@link TuxSelectorProvider} in its wrapping mode where every connection runs on
 * the kernel path: the AF_XDP stack is not in this build yet ({@link FallbackReason#NO_NATIVE_ACCESS}).
 */
class TuxKernelModeConformanceTest extends NioConformanceSuite {

    private static final TuxSelectorProvider TUX = new TuxSelectorProvider(TuxConfig.of(Map.of()));

    @Override
    protected SelectorProvider provider() {
        return TUX;
    }

    @Override
    protected void checkEstablished(SocketChannel client, SocketChannel accepted) {
        for (SocketChannel ch : new SocketChannel[] {client, accepted}) {
            TuxSocketChannel t = assertInstanceOf(TuxSocketChannel.class, ch);
            assertEquals(ConnectionMode.KERNEL, t.mode());
            assertEquals(FallbackReason.NO_NATIVE_ACCESS, t.fallbackReason());
        }
    }
}
