package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tux.core.stack.LoopbackStack;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tux.engineThreads} with the loopback stack: N network threads, connections on Tux spread over them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EngineThreadsTest {

    @Test
    void theLoopbackStackRunsTheConfiguredNumberOfEngines() throws Exception {
        try (LoopbackStack one = assertInstanceOf(LoopbackStack.class,
                     StackFactory.create(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback"))));
             LoopbackStack four = assertInstanceOf(LoopbackStack.class, StackFactory.create(TuxConfig.of(Map.of(
                     TuxConfig.STACK, "loopback", TuxConfig.ENGINE_THREADS, "4"))))) {
            assertEquals(1, one.engineCount());
            assertEquals(4, four.engineCount());
        }
    }

    @Test
    void connectionsOfFourEnginesMoveToTuxAndCarryBytes() throws Exception {
        TuxSelectorProvider tux = new TuxSelectorProvider(TuxConfig.of(Map.of(
                TuxConfig.STACK, "loopback", TuxConfig.ENGINE_THREADS, "4")));
        LoopbackStack stack = assertInstanceOf(LoopbackStack.class, tux.runtime().stack());
        int pairs = 16;
        try (ServerSocketChannel ssc = tux.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel[][] p = new SocketChannel[pairs][];
            for (int i = 0; i < pairs; i++) {
                SocketChannel c = tux.openSocketChannel();
                c.connect(ssc.getLocalAddress());
                p[i] = new SocketChannel[] {c, ssc.accept()};
            }
            for (int i = 0; i < pairs; i++) {
                for (SocketChannel ch : p[i]) {
                    Await.until(() -> Tux.mode(ch) == ConnectionMode.TUX, "Tux handshake of " + ch);
                }
                byte[] data = NioConformanceSuite.pattern(10_000, i);
                NioConformanceSuite.writeFully(p[i][0], ByteBuffer.wrap(data));
                assertArrayEquals(data, NioConformanceSuite.readFully(p[i][1], data.length, false));
            }
            int used = 0;
            long total = 0;
            for (int e = 0; e < stack.engineCount(); e++) {
                int n = stack.engine(e).connectionCount();
                total += n;
                if (n > 0) used++;
            }
            assertEquals(2L * pairs, total, "every end on one of the engines");
            assertTrue(used > 1, "connections spread over more than one engine");
            for (SocketChannel[] pair : p) {
                pair[0].close();
                pair[1].close();
            }
        }
    }
}
