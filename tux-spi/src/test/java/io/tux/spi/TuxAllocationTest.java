package io.tux.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

/**
 * The selection and I/O paths of our channels allocate nothing per call beyond what the JDK's own objects under
 * them allocate: measured against the platform provider in the same JVM, per call, after warm-up.
 */
class TuxAllocationTest {

    private static final int CALLS = 20_000;

    private static long allocated() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean())
                .getCurrentThreadAllocatedBytes();
    }

    /** Bytes allocated per round of: selectNow(Consumer) with one ready key, a 64-byte write and read. */
    private static double perRound(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel c = p.openSocketChannel();
            c.connect(ssc.getLocalAddress());
            SocketChannel a = ssc.accept();
            a.configureBlocking(false);
            a.register(sel, SelectionKey.OP_READ);
            ByteBuffer out = ByteBuffer.allocateDirect(64);
            ByteBuffer in = ByteBuffer.allocateDirect(64);
            int[] seen = new int[1];
            Consumer<SelectionKey> action = k -> seen[0]++;
            long before = 0;
            for (int round = 0; round < 2; round++) { // the first round warms up
                before = allocated();
                for (int i = 0; i < CALLS; i++) {
                    out.clear();
                    c.write(out);
                    int n = 0;
                    while (n == 0) {
                        n = sel.select(action, 1000);
                    }
                    in.clear();
                    while (in.hasRemaining()) {
                        a.read(in);
                    }
                }
            }
            long bytes = allocated() - before;
            assertTrue(seen[0] >= 2 * CALLS);
            c.close();
            a.close();
            return (double) bytes / CALLS;
        }
    }

    @Test
    void selectingAPolledSourceAllocatesNothing() throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(TuxConfig.of(Map.of("tux.log", "off")));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TuxSocketChannel c = (TuxSocketChannel) p.openSocketChannel();
            c.connect(ssc.getLocalAddress());
            c.configureBlocking(false);
            FakeTransport fake = new FakeTransport();
            fake.ready = SelectionKey.OP_READ;
            c.switchTransport(fake, null);
            c.register(sel, SelectionKey.OP_READ);
            int[] seen = new int[1];
            Consumer<SelectionKey> action = k -> seen[0]++;
            long before = 0;
            for (int round = 0; round < 2; round++) {
                before = allocated();
                for (int i = 0; i < CALLS; i++) {
                    sel.selectNow(action);
                    sel.select(action);
                    c.signalReadiness();
                }
            }
            long bytes = allocated() - before;
            assertEquals(4 * CALLS, seen[0]);
            System.out.printf("bytes allocated per polled round: %.2f%n", (double) bytes / CALLS);
            assertTrue(bytes < CALLS, bytes + " bytes for " + CALLS + " rounds");
            c.close();
        }
    }

    @Test
    void noAllocationPerSelectionAndReadBeyondThePlatforms() throws Exception {
        double platform = perRound(PlatformProvider.find().provider());
        double tux = perRound(new TuxSelectorProvider(TuxConfig.of(Map.of("tux.log", "off"))));
        System.out.printf("bytes allocated per round: platform %.2f, tux %.2f%n", platform, tux);
        assertEquals(platform, tux, 8.0, "platform " + platform + " B/round, tux " + tux + " B/round");
    }
}
