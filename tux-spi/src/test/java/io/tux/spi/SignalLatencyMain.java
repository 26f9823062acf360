package io.tux.spi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.Map;

/**
 * A rough figure, not a test: how long from a Tux source becoming ready (plus signal) until a selecting thread has
 * seen it and answered through a spinning volatile, with tux.pollBudgetMicros 0 (the selector sleeps in epoll and
 * the signal wakes it) and 50/200 (the selector spins first), the signal coming 20 us (inside the spin) or 300 us
 * (after it) after the answer to the previous one. Prints medians.
 * Run: java -cp target/classes:target/test-classes io.tux.spi.SignalLatencyMain [rounds]
 */
public final class SignalLatencyMain {

    /** Written by the selecting thread, spun on by the signalling thread. */
    private static volatile int acked;

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        for (int round = 0; round < 2; round++) {
            for (int budget : new int[] {0, 50, 200}) {
                for (int idleMicros : new int[] {20, 300}) {
                    double[] q = run(budget, idleMicros, n);
                    System.out.printf("pollBudgetMicros %4d, signal %3d us after the answer: p10 %7.2f  median %7.2f"
                            + "  p90 %7.2f us%n", budget, idleMicros, q[0], q[1], q[2]);
                }
            }
        }
    }

    private static double[] run(int budget, int idleMicros, int n) throws Exception {
        TuxSelectorProvider p = new TuxSelectorProvider(
                TuxConfig.of(Map.of("tux.pollBudgetMicros", "" + budget, "tux.log", "off")));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            TuxSocketChannel ch = (TuxSocketChannel) p.openSocketChannel();
            ch.connect(ssc.getLocalAddress());
            ch.configureBlocking(false);
            FakeTransport fake = new FakeTransport();
            ch.switchTransport(fake, null);
            SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
            acked = 0;
            Thread selector = Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 1; i <= n; i++) {
                        while (sel.select() == 0) {
                            // spurious: select again
                        }
                        sel.selectedKeys().remove(key);
                        fake.ready = 0;
                        acked = i;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long[] t = new long[n];
            for (int i = 1; i <= n; i++) {
                // let the selector settle into its wait (spin budget or sleep) before the next signal
                long idleUntil = System.nanoTime() + idleMicros * 1000L;
                while (System.nanoTime() < idleUntil) {
                    Thread.onSpinWait();
                }
                long t0 = System.nanoTime();
                fake.ready = SelectionKey.OP_READ;
                ch.signalReadiness();
                while (acked != i) {
                    Thread.onSpinWait();
                }
                t[i - 1] = System.nanoTime() - t0;
            }
            selector.join();
            ch.close();
            Arrays.sort(t);
            return new double[] {t[n / 10] / 1000.0, t[n / 2] / 1000.0, t[9 * n / 10] / 1000.0};
        }
    }
}
