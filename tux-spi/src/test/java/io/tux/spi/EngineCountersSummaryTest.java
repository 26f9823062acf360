package io.tux.spi;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exit summary and the MBean show the engines' packet counters once an engine ran. */
class EngineCountersSummaryTest {

    @Test
    void summaryAndMBeanCarryTheEngineCounters() throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(Map.of(TuxConfig.STACK, "loopback")));
        TuxRuntime rt = p.runtime();
        TuxRuntime.MBean bean = new TuxRuntime.MBean(rt);
        assertEquals("", bean.getEngineCounters(), "no engine before the first connection");
        assertEquals("", bean.getLinks(), "no stack before the first connection");
        assertFalse(rt.summaryLine().contains("; engine "), rt.summaryLine());
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel c = p.openSocketChannel()) {
                c.connect(ssc.getLocalAddress());
                try (SocketChannel a = ssc.accept()) {
                    for (SocketChannel ch : new SocketChannel[] {c, a}) {
                        TuxSocketChannel t = (TuxSocketChannel) ch;
                        Await.until(() -> t.mode() == ConnectionMode.TUX, "Tux handshake of " + t);
                    }
                    assertEquals(3, c.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                    ByteBuffer got = ByteBuffer.allocate(3);
                    while (got.hasRemaining()) {
                        assertTrue(a.read(got) >= 0);
                    }
                }
            }
        }
        assertEquals(rt.stack().describe(), bean.getLinks());
        assertTrue(bean.getLinks().startsWith("loopback"), bean.getLinks());
        String engine = bean.getEngineCounters();
        assertTrue(engine.startsWith("loopback: EngineCounters{"), engine);
        assertTrue(engine.contains(" HANDSHAKES_COMPLETED=2 "), "both ends of the pair ran on the one engine: " + engine);
        String summary = rt.summaryLine();
        assertTrue(summary.startsWith("Tux summary: connections 2 (tux 2, kernel 0), bytes kernel in "), summary);
        assertTrue(summary.contains("; engine loopback: EngineCounters{"), summary);
    }
}
