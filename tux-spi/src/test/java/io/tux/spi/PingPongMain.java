package io.tux.spi;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Map;

/**
 * A rough latency comparison, not a test: 64-byte ping-pong over loopback with the platform provider and with
 * TuxSelectorProvider (Tux mode when the stack can run: -Dtux.stack=loopback, or xdp as root with native access),
 * blocking and selector-driven, alternating runs. Prints median round trip.
 * Run: java --enable-native-access=ALL-UNNAMED -cp target/classes:target/test-classes:... io.tux.spi.PingPongMain [n]
 */
public final class PingPongMain {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        SelectorProvider platform = PlatformProvider.find().provider();
        String stack = System.getProperty("tux.stack", "xdp");
        SelectorProvider tux = new TuxSelectorProvider(TuxConfig.of(Map.of("tux.log", "off", "tux.stack", stack)));
        for (int round = 0; round < Integer.getInteger("rounds", 3); round++) {
            for (SelectorProvider p : new SelectorProvider[] {platform, tux}) {
                String name = p == platform ? "platform" : "tux-" + stack;
                System.out.printf("round %d %-10s blocking %6.2f us   selector %6.2f us%n", round, name,
                        blocking(p, n), selector(p, n));
            }
        }
    }

    private static double blocking(SelectorProvider p, int n) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel c = p.openSocketChannel();
            c.connect(ssc.getLocalAddress());
            SocketChannel s = ssc.accept();
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            Thread echo = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                try {
                    for (int i = 0; i < n; i++) {
                        b.clear();
                        while (b.hasRemaining()) {
                            if (s.read(b) < 0) {
                                return;
                            }
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            s.write(b);
                        }
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long[] t = new long[n];
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                b.clear();
                while (b.hasRemaining()) {
                    c.write(b);
                }
                b.clear();
                while (b.hasRemaining()) {
                    c.read(b);
                }
                t[i] = System.nanoTime() - t0;
            }
            echo.join();
            if (p instanceof TuxSelectorProvider) System.out.print("[" + Tux.mode(c) + "] ");
            c.close();
            s.close();
            Arrays.sort(t);
            return t[n / 2] / 1000.0;
        }
    }

    private static double selector(SelectorProvider p, int n) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel c = p.openSocketChannel();
            c.connect(ssc.getLocalAddress());
            SocketChannel s = ssc.accept();
            c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            s.configureBlocking(false);
            Thread echo = Thread.ofPlatform().start(() -> {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                try (Selector sel = p.openSelector()) {
                    s.register(sel, SelectionKey.OP_READ);
                    int done = 0;
                    while (done < n) {
                        sel.select();
                        sel.selectedKeys().clear();
                        b.clear();
                        while (b.hasRemaining()) {
                            int r = s.read(b);
                            if (r < 0) {
                                return;
                            }
                            if (r == 0 && b.position() == 0) {
                                break;
                            }
                        }
                        if (b.position() == 0) {
                            continue;
                        }
                        b.flip();
                        while (b.hasRemaining()) {
                            s.write(b);
                        }
                        done++;
                    }
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long[] t = new long[n];
            ByteBuffer b = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                b.clear();
                while (b.hasRemaining()) {
                    c.write(b);
                }
                b.clear();
                while (b.hasRemaining()) {
                    c.read(b);
                }
                t[i] = System.nanoTime() - t0;
            }
            echo.join();
            c.close();
            s.close();
            Arrays.sort(t);
            return t[n / 2] / 1000.0;
        }
    }
}
