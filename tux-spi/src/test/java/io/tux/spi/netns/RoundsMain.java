package io.tux.spi.netns;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Child JVM: a request/response protocol over one java.nio connection, in either style.
 * <ul>
 *   <li>{@code server-first}: the server writes a 32-byte greeting right after accept; the client reads all of it
 *       before it writes anything.</li>
 *   <li>{@code client-first}: the client writes its first request right after connect.</li>
 * </ul>
 * Then {@code rounds} rounds: the client sends a 4-byte length and that many seeded bytes (sizes 1 to 20,000,
 * every 50th round 100,000); the server answers with the same length and each byte XOR {@code mask(round)}. The
 * client checks every byte, notes the first round after which {@code Tux.mode} says TUX, ends its direction and
 * expects the server's end. Output: server {@code LISTENING <port>}, then {@code SERVER rounds=.. eof=..
 * mode=.. reason=.. <counters>}; client {@code CLIENT rounds=.. bad=<first bad round or -1> firstTuxRound=..
 * eof=.. mode=.. reason=.. <counters>}.
 *
 * <p>Arguments: {@code server <bind address> <style> <rounds> <seed> <watchdog s>} or
 * {@code client <server address> <port> <style> <rounds> <seed> <watchdog s>}.
 */
public final class RoundsMain {
    private RoundsMain() {
    }

    static byte[] greeting(long seed) {
        byte[] g = new byte[32];
        byte[] text = "TUX-GREETING ".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, g, 0, text.length);
        SplittableRandom r = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        for (int i = text.length; i < g.length; i++) {
            g[i] = (byte) r.nextInt(256);
        }
        return g;
    }

    /** The size of round {@code round}'s request body; advances {@code r} as the client does. */
    static byte[] request(SplittableRandom r, int round) {
        int n = round % 50 == 49 ? 100_000 : r.nextInt(1, 20_001);
        byte[] request = new byte[n];
        r.nextBytes(request);
        return request;
    }

    /** Bytes the client sends in {@code rounds} rounds (length fields included); the server sends as many back. */
    static long requestBytes(int rounds, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long total = 0;
        for (int round = 0; round < rounds; round++) {
            total += 4 + request(r, round).length;
        }
        return total;
    }

    static byte mask(int round) {
        return (byte) (round * 31 + 7);
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("server")) {
            Watchdog.start(Long.parseLong(args[5]));
            server(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
        } else {
            Watchdog.start(Long.parseLong(args[6]));
            client(new InetSocketAddress(InetAddress.getByName(args[1]), Integer.parseInt(args[2])), args[3],
                    Integer.parseInt(args[4]), Long.parseLong(args[5]));
        }
        System.out.flush();
    }

    private static void server(String bind, String style, int rounds, long seed) throws IOException {
        try (ServerSocketChannel ssc = ServerSocketChannel.open()) {
            ssc.bind(new InetSocketAddress(InetAddress.getByName(bind), 0));
            System.out.println("LISTENING " + ((InetSocketAddress) ssc.getLocalAddress()).getPort());
            try (SocketChannel ch = ssc.accept()) {
                if (style.equals("server-first")) {
                    writeFully(ch, ByteBuffer.wrap(greeting(seed)));
                }
                ByteBuffer len = ByteBuffer.allocate(4);
                int done = 0;
                for (int round = 0; round < rounds; round++) {
                    len.clear();
                    readFully(ch, len);
                    int n = len.getInt(0);
                    ByteBuffer body = ByteBuffer.allocate(n);
                    readFully(ch, body);
                    byte m = mask(round);
                    byte[] a = body.array();
                    for (int i = 0; i < n; i++) {
                        a[i] ^= m;
                    }
                    len.flip();
                    body.flip();
                    writeFully(ch, len);
                    writeFully(ch, body);
                    done++;
                }
                boolean eof = ch.read(ByteBuffer.allocate(1)) < 0;
                ch.shutdownOutput();
                long decided = Report.awaitDecided(ch, System.nanoTime(), 10_000);
                System.out.println("SERVER rounds=" + done + " eof=" + eof + " " + Report.mode(ch) + " decided="
                        + (decided >= 0) + " " + Report.counters());
            }
        }
    }

    private static void client(InetSocketAddress server, String style, int rounds, long seed) throws IOException {
        try (SocketChannel ch = SocketChannel.open()) {
            ch.connect(server);
            int bad = -1;
            if (style.equals("server-first")) {
                ByteBuffer g = ByteBuffer.allocate(32);
                readFully(ch, g);
                if (!Arrays.equals(g.array(), greeting(seed))) {
                    bad = Integer.MIN_VALUE; // the greeting itself was wrong
                }
            }
            SplittableRandom r = new SplittableRandom(seed);
            ByteBuffer len = ByteBuffer.allocate(4);
            int firstTux = -1;
            int done = 0;
            for (int round = 0; round < rounds && bad == -1; round++) {
                byte[] request = request(r, round);
                int n = request.length;
                len.clear();
                len.putInt(0, n);
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(request));
                len.clear();
                readFully(ch, len);
                ByteBuffer body = ByteBuffer.allocate(n);
                if (len.getInt(0) != n) {
                    bad = round;
                    break;
                }
                readFully(ch, body);
                byte m = mask(round);
                byte[] a = body.array();
                for (int i = 0; i < n; i++) {
                    if ((byte) (a[i] ^ m) != request[i]) {
                        bad = round;
                        break;
                    }
                }
                done++;
                if (firstTux < 0 && "TUX".equals(String.valueOf(io.tux.spi.Tux.mode(ch)))) {
                    firstTux = round;
                }
            }
            ch.shutdownOutput();
            boolean eof = ch.read(ByteBuffer.allocate(1)) < 0;
            System.out.println("CLIENT rounds=" + done + " bad=" + bad + " firstTuxRound=" + firstTux + " eof=" + eof
                    + " " + Report.mode(ch) + " " + Report.counters());
        }
    }

    static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new EOFException("end of stream with " + b.remaining() + " bytes missing");
            }
        }
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
