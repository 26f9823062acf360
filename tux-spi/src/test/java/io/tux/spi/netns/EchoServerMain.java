package io.tux.spi.netns;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.zip.CRC32C;

/**
 * Child JVM: a blocking java.nio echo server for one connection. Prints {@code LISTENING <port> provider=<class>},
 * echoes every byte until the client's end of stream, ends its own direction, waits (bounded) until the
 * connection's transport is decided (a watcher started at accept waits for it, at most 20 s), and prints
 * {@code SERVER bytes=<n> crc=<crc32c> mode=.. reason=.. decidedMs=.. <counters>}.
 *
 * <p>Arguments: bind address, watchdog seconds.
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
                ch.shutdownOutput();
                watcher.join();
                System.out.println("SERVER bytes=" + n + " crc=" + Long.toHexString(crc.getValue()) + " "
                        + Report.mode(ch) + " decidedMs=" + decided.get() + " " + Report.counters());
            }
        }
        System.out.flush();
    }
}
