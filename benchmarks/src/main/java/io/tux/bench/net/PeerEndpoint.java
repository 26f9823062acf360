package io.tux.bench.net;

import io.tux.xdp.testbed.NetnsTestBed;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The benchmark's view of its peer: where its four services listen, how much CPU it has used, and how to stop
 * it. {@link #inProcess} runs a {@link Peer} on loopback inside this JVM (the lo cases); {@link #inNamespace}
 * starts one as its own JVM in another network namespace (the veth cases).
 *
 * <p>Threading: one controlling thread (the benchmark thread's setup and teardown).
 */
public abstract class PeerEndpoint implements AutoCloseable {
    /** Bound on starting the peer JVM and on each exchange with it. */
    static final long TIMEOUT_SECONDS = 30;

    private final InetAddress address;
    private final int[] ports;

    private PeerEndpoint(InetAddress address, int[] ports) {
        this.address = address;
        this.ports = ports;
    }

    /** The echo service. */
    public InetSocketAddress echo() {
        return new InetSocketAddress(address, ports[0]);
    }

    /** The kv service. */
    public InetSocketAddress kv() {
        return new InetSocketAddress(address, ports[1]);
    }

    /** The sink service. */
    public InetSocketAddress sink() {
        return new InetSocketAddress(address, ports[2]);
    }

    /** The greet service. */
    public InetSocketAddress greet() {
        return new InetSocketAddress(address, ports[3]);
    }

    /** CPU time the peer has used so far, nanoseconds: its process (own JVM) or its network thread (in process). */
    public abstract long cpuNanos() throws IOException;

    /** True if the peer shares this JVM (then this JVM's process CPU includes the peer's). */
    public abstract boolean sharesProcess();

    /** Stops the peer and releases everything it holds; bounded; idempotent. */
    @Override
    public abstract void close();

    /** A peer with {@code providerName}'s channels on 127.0.0.1 inside this JVM. */
    public static PeerEndpoint inProcess(String providerName) throws IOException {
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        Peer peer = Peer.start(Providers.named(providerName), lo);
        return new PeerEndpoint(lo, new int[] {peer.echoPort(), peer.kvPort(), peer.sinkPort(), peer.greetPort()}) {
            @Override
            public long cpuNanos() {
                return peer.threadCpuNanos();
            }

            @Override
            public boolean sharesProcess() {
                return true;
            }

            @Override
            public void close() {
                peer.close();
            }
        };
    }

    /**
     * A peer JVM with {@code providerName}'s channels, started in network namespace {@code ns} (through
     * {@code ip netns exec}) and listening on {@code address}, with this JVM's java binary and class path. It
     * exits when its stdin closes, so it does not outlive this JVM even if this one is killed.
     */
    public static PeerEndpoint inNamespace(String ns, InetAddress address, String providerName) throws IOException {
        List<String> java = new ArrayList<>();
        java.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.add("-cp");
        java.add(System.getProperty("java.class.path"));
        java.add("-Xmx512m");
        java.add("--enable-native-access=ALL-UNNAMED");
        java.add("--add-exports");
        java.add("java.base/sun.nio.ch=ALL-UNNAMED");
        java.add(Peer.class.getName());
        java.add(providerName);
        java.add(address.getHostAddress());
        ProcessBuilder pb = new ProcessBuilder(NetnsTestBed.inNamespace(ns, java));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process process = pb.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.US_ASCII));
            String ready = readLine(process, out);
            if (ready == null || !ready.startsWith(Wire.READY + " ")) {
                throw new IOException("peer (" + providerName + " in " + ns + ") did not start: "
                        + (ready == null ? "it exited with " + exitCode(process) : ready));
            }
            String[] f = ready.split(" ");
            int[] ports = {Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                Integer.parseInt(f[4])};
            return new Remote(address, ports, process, out);
        } catch (IOException | RuntimeException e) {
            destroy(process);
            throw e;
        }
    }

    /** Reads one line of the peer's stdout, waiting at most {@link #TIMEOUT_SECONDS}. */
    static String readLine(Process process, BufferedReader out) throws IOException {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        try {
            return line.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            destroy(process);
            throw new IOException("peer pid " + process.pid() + " did not answer within " + TIMEOUT_SECONDS + " s");
        } catch (ExecutionException e) {
            throw new IOException("reading from the peer failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(p.exitValue()) : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)";
        }
    }

    /** Kills {@code p} by pid, then its descendants, waiting a bounded time. */
    static void destroy(Process p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle c : children) {
            c.destroyForcibly();
        }
    }

    /** A peer in its own JVM, driven through its stdin and stdout. */
    private static final class Remote extends PeerEndpoint {
        private final Process process;
        private final BufferedReader out;
        private final OutputStream in;
        private boolean closed;

        Remote(InetAddress address, int[] ports, Process process, BufferedReader out) {
            super(address, ports);
            this.process = process;
            this.out = out;
            this.in = process.getOutputStream();
        }

        @Override
        public long cpuNanos() throws IOException {
            in.write((Wire.CPU_COMMAND + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            String line = readLine(process, out);
            if (line == null || !line.startsWith(Wire.CPU_REPLY + " ")) {
                throw new IOException("peer pid " + process.pid() + " answered '" + line + "' to cpu");
            }
            return Long.parseLong(line.substring(Wire.CPU_REPLY.length() + 1).trim());
        }

        @Override
        public boolean sharesProcess() {
            return false;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                in.write("quit\n".getBytes(StandardCharsets.US_ASCII));
                in.close();
                if (process.waitFor(10, TimeUnit.SECONDS)) {
                    return;
                }
            } catch (IOException e) {
                // the peer is gone already or its stdin broke: kill it below
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            destroy(process);
        }
    }
}
