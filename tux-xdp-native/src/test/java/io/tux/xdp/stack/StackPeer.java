package io.tux.xdp.stack;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.EngineConfig;
import io.tux.core.stack.TuxUnavailableException;
import io.tux.core.testing.Pattern;
import io.tux.xdp.route.RouteResolver;
import io.tux.xdp.xsk.XdpSocket;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Child-JVM program: one end of a Tux connection through an {@link AfXdpStack}, for tests between network
 * namespaces. {@code StackPeer ROLE LOCAL_IP LOCAL_PORT REMOTE_IP REMOTE_PORT BYTES POLL_BUDGET_NANOS}.
 *
 * <p>It opens the connection (printing {@code UNAVAILABLE <reason> <message>} and exiting 3 if the stack refuses),
 * prints {@code ESTABLISHED <xdp mode>} once the handshake is done, then by ROLE:
 * <ul>
 *   <li>{@code send}: waits for {@code go} on stdin, writes BYTES of the pattern and the FIN, waits until all was
 *       acknowledged, prints {@code SENT <bytes> <MB/s>}, reads the peer's end of stream, prints {@code DONE};</li>
 *   <li>{@code recv}: reads and checks until the end of stream, prints
 *       {@code RESULT bytes=<n> mismatch=<first wrong position or -1> eof=<bool> mbps=<MB/s>}, sends its own FIN,
 *       prints {@code DONE};</li>
 *   <li>{@code ping}: waits for {@code go}, then BYTES round trips of a 64-byte message, each written only after
 *       the previous reply came back (at most 4 minutes), and prints
 *       {@code RTT n=.. of .. wait=.. median_us=.. mean_us=.. p99_us=.. min_us=..} over the second half (the first
 *       is warm-up); {@code -Dtux.rtt.wait=spin|park} says how the application threads wait;</li>
 *   <li>{@code pong}: sends every 64 bytes it reads straight back, until the end of stream; prints {@code DONE};</li>
 *   <li>{@code hold}: waits for {@code exit} on stdin.</li>
 * </ul>
 * After the transfer each end prints {@code CPU ...} (its CPU time since the connection was established, and its
 * network thread's schedstat). {@code -Dtux.stack.window=N} and {@code -Dtux.stack.buffer=BYTES} change the
 * window (512) and the ring sizes (4 MiB).
 * Any other failure prints {@code CRASH <exception>} and exits 4. Everything is bounded (10 minutes at most).
 */
public final class StackPeer {

    private StackPeer() {}

    public static void main(String[] args) throws Exception {
        String role = args[0];
        InetSocketAddress local = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        InetSocketAddress remote = new InetSocketAddress(args[3], Integer.parseInt(args[4]));
        long bytes = Long.parseLong(args[5]);
        long budget = Long.parseLong(args[6]);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        EngineConfig config = EngineConfig.DEFAULT.withWindow(Integer.getInteger("tux.stack.window", 512))
                .withBuffers(Integer.getInteger("tux.stack.buffer", 1 << 22), Integer.getInteger("tux.stack.buffer", 1 << 22))
                .withHandshakeTimeoutNanos(TimeUnit.SECONDS.toNanos(60));
        int code = 0;
        try (AfXdpStack stack = new AfXdpStack(config, budget, new AfXdpStack.Options(null, XdpSocket.Config.DEFAULT,
                Duration.ofSeconds(10), java.util.List.of()))) {
            StreamPump pump = new StreamPump();
            Connection c;
            try {
                c = stack.open(local, remote, 7, pump.listener());
            } catch (TuxUnavailableException e) {
                System.out.println("UNAVAILABLE " + e.reason() + " " + e.getMessage());
                System.out.flush();
                if (role.equals("hold")) {
                    waitFor(stdin, "exit");
                }
                System.exit(3);
                return;
            }
            String ifname = new RouteResolver(Duration.ofSeconds(10)).resolve(local, remote).interfaceName();
            String mode = String.valueOf(stack.link(ifname, 0).socket().mode());
            long deadline = StreamPump.deadlineIn(600);
            ConnectionState s = pump.awaitHandshake(c, deadline);
            if (s != ConnectionState.ESTABLISHED) {
                System.out.println("CRASH handshake ended " + s);
                System.exit(4);
            }
            cpuAtStart = cpuNanos();
            System.out.println("ESTABLISHED " + mode);
            System.out.flush();
            Pattern pattern = new Pattern(0x7E57L);
            switch (role) {
                case "send" -> {
                    waitFor(stdin, "go");
                    long t0 = System.nanoTime();
                    long n = pump.send(c, pattern, bytes, deadline);
                    double secs = (System.nanoTime() - t0) / 1e9;
                    System.out.printf(Locale.ROOT, "SENT %d %.1f%n", n, n / 1e6 / secs);
                    System.out.println(cpu());
                    StreamPump.Received r = pump.receive(c, pattern, deadline);
                    System.out.println("DONE " + r.eof() + " " + finish(c, pump) + " " + stack.engine(ifname, 0).counters() + " "
                            + socketStats(stack, ifname));
                }
                case "recv" -> {
                    StreamPump.Received r = pump.receive(c, pattern, deadline);
                    System.out.printf(Locale.ROOT, "RESULT bytes=%d mismatch=%d eof=%s mbps=%.1f%n", r.bytes(),
                            r.firstMismatch(), r.eof(), r.mbps());
                    System.out.println(cpu());
                    System.out.flush();
                    System.out.println("DONE " + finish(c, pump) + " " + stack.engine(ifname, 0).counters() + " "
                            + socketStats(stack, ifname));
                }
                case "ping" -> {
                    waitFor(stdin, "go");
                    System.out.println(ping(c, (int) bytes, Math.min(deadline, StreamPump.deadlineIn(240)), pump));
                    c.shutdownOutput();
                    pump.receive(c, pattern, deadline);
                    System.out.println("DONE " + finish(c, pump) + " " + stack.engine(ifname, 0).counters() + " "
                            + socketStats(stack, ifname));
                }
                case "pong" -> {
                    pong(c, deadline, pump);
                    System.out.println("DONE " + finish(c, pump) + " " + stack.engine(ifname, 0).counters() + " "
                            + socketStats(stack, ifname));
                }
                case "hold" -> waitFor(stdin, "exit");
                default -> throw new IllegalArgumentException("role " + role);
            }
            c.close();
            stack.release(c);
        } catch (Exception | Error e) {
            System.out.println("CRASH " + e);
            e.printStackTrace(System.out);
            code = 4;
        }
        System.out.flush();
        System.exit(code);
    }

    /**
     * {@code CPU process_ms=<this JVM's CPU time> network_ms=<the network threads' CPU time>} (user and system
     * time, since the connection was established): a figure per byte that does not depend on how busy the machine was.
     */
    private static String cpu() {
        long[] now = cpuNanos();
        return String.format(Locale.ROOT, "CPU process_ms=%d network_ms=%d%s", (now[0] - cpuAtStart[0]) / 1_000_000,
                (now[1] - cpuAtStart[1]) / 1_000_000, schedstat());
    }

    /** Process and network-thread CPU time when the connection was established (main thread only). */
    private static long[] cpuAtStart = new long[2];

    /** This JVM's CPU time and its network threads' (ns). */
    private static long[] cpuNanos() {
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long network = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("tux-xdp-")) {
                network += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
            }
        }
        return new long[] {os.getProcessCpuTime(), network};
    }

    /**
     * For the network and main threads, from /proc/self/task/(tid)/schedstat: ms on a CPU, ms waiting runnable
     * for a CPU, and how many times each was switched in (empty where /proc says nothing).
     */
    private static String schedstat() {
        StringBuilder out = new StringBuilder();
        try (var tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path t : tasks.toList()) {
                String comm = java.nio.file.Files.readString(t.resolve("comm")).trim();
                if (comm.startsWith("tux-xdp-") || comm.equals("main")) {
                    String[] f = java.nio.file.Files.readString(t.resolve("schedstat")).trim().split(" ");
                    out.append(String.format(Locale.ROOT, " %s:run_ms=%d,wait_ms=%d,slices=%s", comm,
                            Long.parseLong(f[0]) / 1_000_000, Long.parseLong(f[1]) / 1_000_000, f[2]));
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            out.append(" schedstat:").append(e);
        }
        return out.toString();
    }

    /**
     * The AF_XDP socket's kicks and the kernel's drop counters: {@code xsk tx_kicks=.. rx_kicks=.. kick_errors=..
     * kernel=[rx_dropped, rx_invalid, tx_invalid, rx_ring_full, fill_empty, tx_empty]}. Read after the network
     * thread went quiet (the counters are its own), so only indicative.
     */
    private static String socketStats(AfXdpStack stack, String ifname) {
        XdpSocket s = stack.link(ifname, 0).socket();
        return "xsk tx_kicks=" + s.txKicks() + " rx_kicks=" + s.rxKicks() + " kick_errors=" + s.kickErrors()
                + " kernel=" + Arrays.toString(s.statistics());
    }

    /**
     * Sends this end's FIN (after everything written) and waits, at most 30 s, until the connection is over
     * (both FINs exchanged and acknowledged), so that closing the stack cannot cut off a FIN the peer waits for.
     */
    private static ConnectionState finish(Connection c, StreamPump pump) {
        c.shutdownOutput();
        long deadline = StreamPump.deadlineIn(30);
        while (!c.state().isTerminal() && System.nanoTime() < deadline) {
            pump.pause();
        }
        return c.state();
    }

    private static void waitFor(BufferedReader stdin, String word) throws Exception {
        for (String line; (line = stdin.readLine()) != null; ) {
            if (line.trim().equals(word)) {
                return;
            }
        }
        throw new IllegalStateException("stdin ended before '" + word + "'");
    }

    /**
     * How an application thread waits for its reply: {@code spin} (busy, yielding the core to runnable threads:
     * this machine has two cores for four busy threads) or {@code park} (woken by the connection's listener).
     */
    private static final boolean SPIN = !"park".equals(System.getProperty("tux.rtt.wait", "spin"));

    private static void idle(StreamPump pump) {
        if (SPIN) {
            Thread.yield();
        } else {
            pump.pause();
        }
    }

    /** Round trips of 64 bytes, until {@code count} were made or the deadline passed. */
    private static String ping(Connection c, int count, long deadline, StreamPump pump) throws Exception {
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        long[] rtt = new long[count];
        int done = 0;
        for (int i = 0; i < count && System.nanoTime() < deadline; i++, done++) {
            out.clear();
            out.putLong(0, i);
            long t0 = System.nanoTime();
            while (out.hasRemaining()) {
                c.write(out);
            }
            in.clear();
            while (in.hasRemaining() && System.nanoTime() < deadline) {
                int n = c.read(in);
                if (n < 0) {
                    throw new IllegalStateException("end of stream after " + i);
                }
                if (n == 0) {
                    idle(pump);
                }
            }
            if (in.hasRemaining()) {
                break;
            }
            rtt[i] = System.nanoTime() - t0;
            if (in.getLong(0) != i) {
                throw new IllegalStateException("reply " + in.getLong(0) + " to " + i);
            }
        }
        long[] measured = Arrays.copyOfRange(rtt, done / 2, Math.max(done, 1));
        Arrays.sort(measured);
        double mean = Arrays.stream(measured).average().orElse(0);
        return String.format(Locale.ROOT, "RTT n=%d of %d wait=%s median_us=%.2f mean_us=%.2f p99_us=%.2f "
                + "min_us=%.2f", measured.length, count, SPIN ? "spin" : "park", measured[measured.length / 2] / 1e3, mean / 1e3,
                measured[(int) (measured.length * 0.99)] / 1e3, measured[0] / 1e3);
    }

    private static void pong(Connection c, long deadline, StreamPump pump) throws Exception {
        ByteBuffer buf = ByteBuffer.allocateDirect(64);
        while (System.nanoTime() < deadline) {
            buf.clear();
            while (buf.hasRemaining() && System.nanoTime() < deadline) {
                int n = c.read(buf);
                if (n < 0) {
                    return;
                }
                if (n == 0) {
                    idle(pump);
                }
            }
            buf.flip();
            while (buf.hasRemaining()) {
                c.write(buf);
            }
        }
    }
}
