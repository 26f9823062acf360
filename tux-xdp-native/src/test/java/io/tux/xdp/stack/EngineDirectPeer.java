package io.tux.xdp.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.Mode;
import io.tux.xdp.link.AfXdpLink;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program: one end of a Tux connection whose engine is driven by the application thread itself (no
 * network thread), so that each side busy-polls with exactly one thread, as the raw-link measurement does.
 * {@code EngineDirectPeer ping|pong IFNAME LOCAL_IP LOCAL_PORT REMOTE_IP REMOTE_PORT COUNT}. Prints
 * {@code ESTABLISHED <mode>}; {@code ping} then waits for {@code go} and prints
 * {@code RTT n=.. median_us=.. mean_us=.. p99_us=.. min_us=..} over the second half of COUNT round trips of a
 * 64-byte message; {@code pong} echoes until the peer's FIN. Both print {@code DONE <state>}. Bounded.
 */
public final class EngineDirectPeer {

    private EngineDirectPeer() {}

    public static void main(String[] args) throws Exception {
        String role = args[0];
        InetSocketAddress local = new InetSocketAddress(args[2], Integer.parseInt(args[3]));
        InetSocketAddress remote = new InetSocketAddress(args[4], Integer.parseInt(args[5]));
        int count = Integer.parseInt(args[6]);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        EngineConfig config = EngineConfig.DEFAULT.withHandshakeTimeoutNanos(TimeUnit.SECONDS.toNanos(60));
        try (AfXdpLink link = AfXdpLink.open(args[1], 0)) {
            Engine engine = new Engine(link, config);
            Connection c = engine.open(link.openRoute(local, remote), Mode.STREAM, 0, null);
            while (c.state() == ConnectionState.HANDSHAKING && System.nanoTime() < deadline) {
                engine.doWork();
            }
            System.out.println("ESTABLISHED " + link.socket().mode());
            System.out.flush();
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            if (role.equals("ping")) {
                BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                for (String l; (l = stdin.readLine()) != null && !l.equals("go"); ) {
                    // wait for go; the peer's engine idles meanwhile, ours need not run
                }
                long[] rtt = new long[count];
                int done = 0;
                for (int i = 0; i < count && System.nanoTime() < deadline; i++, done++) {
                    buf.clear();
                    buf.putLong(0, i);
                    long t0 = System.nanoTime();
                    while (buf.hasRemaining()) {
                        c.write(buf);
                    }
                    buf.clear();
                    while (buf.hasRemaining() && System.nanoTime() < deadline) {
                        if (c.read(buf) == 0) {
                            engine.doWork();
                        }
                    }
                    rtt[i] = System.nanoTime() - t0;
                    if (buf.getLong(0) != i) {
                        throw new IllegalStateException("reply " + buf.getLong(0) + " to " + i);
                    }
                }
                long[] m = Arrays.copyOfRange(rtt, done / 2, Math.max(done, 1));
                Arrays.sort(m);
                System.out.printf(Locale.ROOT, "RTT n=%d median_us=%.2f mean_us=%.2f p99_us=%.2f min_us=%.2f%n",
                        m.length, m[m.length / 2] / 1e3, Arrays.stream(m).average().orElse(0) / 1e3,
                        m[(int) (m.length * 0.99)] / 1e3, m[0] / 1e3);
                c.shutdownOutput();
            }
            // pong: echo until the end of stream; ping: wait for the peer's FIN after ours.
            while (System.nanoTime() < deadline) {
                buf.clear();
                int n = c.read(buf);
                if (n < 0) {
                    break;
                }
                if (n == 0) {
                    engine.doWork();
                    continue;
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
            }
            c.shutdownOutput();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!c.state().isTerminal() && System.nanoTime() < end) {
                engine.doWork();
            }
            System.out.println("DONE " + c.state() + " " + engine.counters());
        } catch (Exception | Error e) {
            System.out.println("CRASH " + e);
            e.printStackTrace(System.out);
            System.exit(4);
        }
        System.exit(0);
    }
}
