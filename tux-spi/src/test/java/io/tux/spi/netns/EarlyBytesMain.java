package io.tux.spi.netns;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Child JVM: bytes that certainly travel on kernel TCP before the cutover, then a cutover, to check how each end
 * counts them. The client writes {@code k} pattern bytes right after connect, while the server has not accepted
 * yet (so no handshake can have completed: the server's Tux connection opens only at accept), and prints
 * {@code WROTE mode=..}. The server accepts only when told {@code accept} on standard input, waits (at most 10 s)
 * until its connection is on Tux, then reads the {@code k} bytes (they come from TCP: they precede X) and checks
 * them, then reads to the end. Both print their counters.
 *
 * <p>Arguments: {@code server <bind address> <k> <watchdog s>} or
 * {@code client <server address> <port> <k> <watchdog s>}. Output: {@code LISTENING <port>}, {@code WROTE ...},
 * {@code SERVER exact=<bool> eof=<bool> mode=.. reason=.. <counters>}, {@code CLIENT mode=.. reason=.. <counters>}.
 */
public final class EarlyBytesMain {
    private EarlyBytesMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            Watchdog.start(Long.parseLong(args[3]));
            server(args[1], Integer.parseInt(args[2]));
        } else {
            Watchdog.start(Long.parseLong(args[4]));
            client(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])),
                    Integer.parseInt(args[3]));
        }
        System.out.flush();
    }

    private static void server(String bind, int k) throws Exception {
        Pattern p = new Pattern(NetnsEndToEndTest.SEED);
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            ssc.bind(new InetSocketAddress(InetAddress.getByName(bind), 0));
            System.out.println("LISTENING " + ((InetSocketAddress) ssc.getLocalAddress()).getPort());
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String cmd = in.readLine();
            if (!"accept".equals(cmd)) {
                throw new IllegalStateException("expected 'accept', got " + cmd);
            }
            try (SocketChannel ch = ssc.accept()) {
                long decided = Report.awaitDecided(ch, System.nanoTime(), 10_000);
                System.out.println("DECIDED " + Report.mode(ch) + " ms=" + decided);
                ByteBuffer b = ByteBuffer.allocate(k);
                RoundsMain.readFully(ch, b);
                boolean exact = Arrays.equals(b.array(), 0, k, p.block, 0, k);
                boolean eof = ch.read(ByteBuffer.allocate(1)) < 0;
                System.out.println("SERVER exact=" + exact + " eof=" + eof + " " + Report.mode(ch) + " "
                        + Report.counters());
            }
        }
    }

    private static void client(InetSocketAddress server, int k) throws Exception {
        Pattern p = new Pattern(NetnsEndToEndTest.SEED);
        try (SocketChannel ch = SocketChannel.open()) {
            ch.connect(server);
            RoundsMain.writeFully(ch, ByteBuffer.wrap(p.block, 0, k));
            System.out.println("WROTE " + Report.mode(ch) + " " + Report.counters());
            long decided = Report.awaitDecided(ch, System.nanoTime(), 10_000);
            ch.shutdownOutput();
            boolean eof = ch.read(ByteBuffer.allocate(1)) < 0;
            System.out.println("CLIENT eof=" + eof + " decided=" + (decided >= 0) + " " + Report.mode(ch) + " "
                    + Report.counters());
        }
    }
}
