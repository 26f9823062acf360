package io.tux.bench.net;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the time of a fresh connection goes, phase by phase, outside JMH: the {@link ConnectBenchmark}
 * operation (open, SO_LINGER 0, connect, read the greeting, close) with a timestamp after each phase, repeated,
 * then percentiles per phase and what carried the connections. As in the benchmark, one more connection per
 * provider stays open throughout. Run it next to a {@link Peer} (for instance the client in one namespace and the
 * peer in the other, both under {@code ip netns exec}), with JFR if wanted:
 *
 * <pre>java -cp benchmarks.jar io.tux.bench.net.ConnectMeasurement tux 10.77.9.2 PORT 20000 5000</pre>
 *
 * <p>{@code jdk+tux} alternates the two providers connection by connection against the same peer (a JDK peer:
 * the cost of fallback), so that both see the same machine load, and prints both tables and the ratios.
 *
 * <p>Not a test: it asserts nothing and prints figures. Single-threaded.
 */
public final class ConnectMeasurement {

    private static final String[] PHASES = {"open", "connect", "first byte", "close", "total", "gap to next"};

    private ConnectMeasurement() {}

    /** One provider's samples. */
    private static final class Run {
        final String name;
        final SelectorProvider provider;
        final long[][] t;
        final Map<String, Integer> modes = new TreeMap<>();
        SocketChannel probe;

        Run(String name, int n) {
            this.name = name;
            this.provider = Providers.named(name);
            this.t = new long[PHASES.length][n];
        }

        long p50(int phase) {
            long[] s = t[phase].clone();
            Arrays.sort(s);
            return s[s.length / 2];
        }
    }

    /** {@code ConnectMeasurement <jdk|tux|jdk+tux> <host> <greet port> <connections> <warm-up connections>}. */
    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: ConnectMeasurement <jdk|tux|jdk+tux> <host> <greet port> <connections> <warm-up>");
            System.exit(2);
        }
        String[] names = args[0].split("\\+");
        InetSocketAddress peer = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
        int n = Integer.parseInt(args[3]);
        int warm = Integer.parseInt(args[4]);
        Run[] runs = new Run[names.length];
        for (int r = 0; r < runs.length; r++) {
            runs[r] = new Run(names[r], n);
            runs[r].probe = runs[r].provider.openSocketChannel();
            runs[r].probe.connect(peer);
        }
        ByteBuffer in = ByteBuffer.allocateDirect(Wire.GREETING_SIZE);
        long prevEnd = 0;
        for (int i = -warm; i < n; i++) {
            for (Run run : runs) {
                long t0 = System.nanoTime();
                String mode;
                long t1;
                long t2;
                long t3;
                try (SocketChannel ch = run.provider.openSocketChannel()) {
                    ch.setOption(StandardSocketOptions.SO_LINGER, 0);
                    t1 = System.nanoTime();
                    ch.connect(peer);
                    t2 = System.nanoTime();
                    in.clear();
                    while (in.hasRemaining()) {
                        if (ch.read(in) < 0) {
                            throw new EOFException("the greet peer closed before its first byte");
                        }
                    }
                    t3 = System.nanoTime();
                    mode = describe(ch);
                }
                long t4 = System.nanoTime();
                if (i >= 0) {
                    long[][] t = run.t;
                    t[0][i] = t1 - t0;
                    t[1][i] = t2 - t1;
                    t[2][i] = t3 - t2;
                    t[3][i] = t4 - t3;
                    t[4][i] = t4 - t0;
                    t[5][i] = prevEnd == 0 ? 0 : t0 - prevEnd;
                    run.modes.merge(mode, 1, Integer::sum);
                }
                prevEnd = t4;
            }
        }
        for (Run run : runs) {
            run.probe.close();
            print(run, peer, n, warm);
        }
        if (runs.length == 2) {
            System.out.printf("p50 ratio %s/%s:", runs[1].name, runs[0].name);
            for (int p = 0; p < PHASES.length - 1; p++) {
                System.out.printf(" %s %.2f;", PHASES[p], (double) runs[1].p50(p) / Math.max(1, runs[0].p50(p)));
            }
            System.out.println();
        }
        if (Arrays.asList(names).contains("tux")) {
            var c = io.tux.spi.Tux.counters();
            System.out.println("Tux counters: opened " + c.getConnectionsOpened() + ", on Tux "
                    + c.getConnectionsOnTux() + ", on kernel " + c.getConnectionsOnKernelByReason());
        }
    }

    private static String describe(SocketChannel ch) {
        Object m = io.tux.spi.Tux.mode(ch);
        Object r = io.tux.spi.Tux.fallbackReason(ch);
        return m == null ? "JDK" : r == null ? m.toString() : m + " (" + r + ")";
    }

    private static void print(Run run, InetSocketAddress peer, int n, int warm) {
        System.out.printf("%d connections to %s (%s), %d warm-up; microseconds%n", n, peer, run.name, warm);
        System.out.printf("%-12s %9s %9s %9s %9s %9s%n", "phase", "mean", "p50", "p90", "p99", "max");
        for (int p = 0; p < PHASES.length; p++) {
            long[] s = run.t[p].clone();
            Arrays.sort(s);
            double mean = Arrays.stream(s).average().orElse(0) / 1000.0;
            System.out.printf("%-12s %9.1f %9.1f %9.1f %9.1f %9.1f%n", PHASES[p], mean, s[n / 2] / 1000.0,
                    s[(int) (n * 0.9)] / 1000.0, s[(int) (n * 0.99)] / 1000.0, s[n - 1] / 1000.0);
        }
        System.out.println("transport before close: " + run.modes);
    }
}
