package io.tux.spi.netns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.zip.CRC32C;

/**
 * Child JVM: a blocking java.nio echo server for one connection. Prints {@code LISTENING <port> provider=<class>},
 * echoes every byte until the client's end of stream, ends its own direction, waits (bounded) until the
 * connection's transport is decided (a watcher started at accept waits for it, at most 20 s), and prints
 * {@code SERVER bytes=<n> crc=<crc32c> mode=.. reason=.. decidedMs=.. <counters>}.
 *
 * <p>Arguments: bind address, watchdog seconds, and optionally {@code selector} for a non-blocking server driven
 * by one {@link Selector} instead of blocking reads and writes.
 */
public final class EchoServerMain {
    private EchoServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Watchdog.start(Long.parseLong(args[1]));
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            ssc.bind(new InetSocketAddress(InetAddress.getByName(args[0]), 0));
            System.out.println("LISTENING " + ((InetSocketAddress) ssc.getLocalAddress()).getPort() + " provider="
                    + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
            try (SocketChannel ch = ssc.accept()) {
                long accepted = System.nanoTime();
                java.util.concurrent.atomic.AtomicLong decided = new java.util.concurrent.atomic.AtomicLong(-1);
                Thread watcher = Thread.ofVirtual().start(() -> decided.set(Report.awaitDecided(ch, accepted, 20_000)));
                ByteBuffer buf = ByteBuffer.allocate(Pattern.MAX_RUN);
                CRC32C crc = new CRC32C();
                long n = args.length > 2 && args[2].equals("selector") ? echoWithSelector(ch, buf, crc)
                        : echoBlocking(ch, buf, crc);
                ch.shutdownOutput();
                watcher.join();
                System.out.println("SERVER bytes=" + n + " crc=" + Long.toHexString(crc.getValue()) + " "
                        + Report.mode(ch) + " decidedMs=" + decided.get() + " " + Report.counters());
            }
        }
        System.out.flush();
    }

    private static long echoBlocking(SocketChannel ch, ByteBuffer buf, CRC32C crc) throws java.io.IOException {
        long n = 0;
        while (ch.read(buf) >= 0) {
            buf.flip();
            crc.update(buf.array(), 0, buf.limit());
            n += buf.limit();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            buf.clear();
        }
        return n;
    }

    /** Non-blocking, one selector: read while there is room, write what is pending, until the end and drained. */
    private static long echoWithSelector(SocketChannel ch, ByteBuffer buf, CRC32C crc) throws java.io.IOException {
        ch.configureBlocking(false);
        long n = 0;
        boolean inputDone = false;
        try (Selector selector = Selector.open()) {
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            while (!inputDone || buf.position() > 0) {
                selector.select(1000);
                selector.selectedKeys().clear();
                if (!inputDone && buf.hasRemaining()) {
                    int from = buf.position();
                    int r = ch.read(buf);
                    if (r < 0) {
                        inputDone = true;
                    } else if (r > 0) {
                        crc.update(buf.array(), from, r);
                        n += r;
                    }
                }
                if (buf.position() > 0) {
                    buf.flip();
                    ch.write(buf);
                    buf.compact();
                }
                key.interestOps((inputDone || !buf.hasRemaining() ? 0 : SelectionKey.OP_READ)
                        | (buf.position() > 0 ? SelectionKey.OP_WRITE : 0));
            }
            key.cancel();
        }
        ch.configureBlocking(true);
        return n;
    }
}
