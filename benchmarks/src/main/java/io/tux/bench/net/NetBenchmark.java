package io.tux.bench.net;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.channels.Channel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What every network benchmark shares: the two parameters {@code transport} ({@code lo}: client and peer in
 * this JVM over loopback; {@code veth}: the peer in its own JVM in the other network namespace, reached over the
 * veth pair) and {@code provider} (see {@link Providers}), starting and stopping the peer per trial, and CPU
 * accounting: the process CPU time of both ends over the measurement iterations, divided by the operations done
 * then, appended as one JSON line per trial to the file named by {@value #CPU_FILE_PROPERTY}.
 *
 * <p>The veth cases need {@value #PEER_NS_PROPERTY} (namespace of the peer) and {@value #PEER_ADDRESS_PROPERTY}
 * (its address there), and this JVM must run in the other namespace of the pair: {@code bin/bench} arranges it.
 *
 * <p>Threading: subclasses are {@code @State(Scope.Thread)} with one benchmark thread, which runs every fixture.
 */
@State(Scope.Thread)
public abstract class NetBenchmark {
    /** System property: the network namespace the veth peer runs in. */
    public static final String PEER_NS_PROPERTY = "tux.bench.peerNs";
    /** System property: the peer's address in that namespace. */
    public static final String PEER_ADDRESS_PROPERTY = "tux.bench.peerAddress";
    /** System property: file the CPU records are appended to (one JSON object a line); none written if unset. */
    public static final String CPU_FILE_PROPERTY = "tux.bench.cpuFile";

    @Param({"lo", "veth"})
    public String transport;

    @Param({"jdk", "tux", "tux-peer-jdk"})
    public String provider;

    /** The client's provider: the channels the benchmark opens come from it. */
    protected SelectorProvider clientProvider;
    /** The peer of this trial. */
    protected PeerEndpoint peer;

    /** Benchmark invocations so far in this iteration; the benchmark methods count them. */
    protected long invocations;

    private long clientCpuStart;
    private long peerCpuStart;
    private long measuredOps;
    private long measuredClientCpu;
    private long measuredPeerCpu;

    /** Resolves the providers, starts the peer and lets the subclass connect. */
    @Setup(Level.Trial)
    public final void setUpTrial() throws IOException {
        clientProvider = Providers.named(Providers.clientProviderName(provider));
        String peerProvider = Providers.peerProviderName(provider);
        peer = switch (transport) {
            case "lo" -> PeerEndpoint.inProcess(peerProvider);
            case "veth" -> {
                String ns = System.getProperty(PEER_NS_PROPERTY);
                String address = System.getProperty(PEER_ADDRESS_PROPERTY);
                if (ns == null || address == null) {
                    throw new IllegalStateException("the veth cases need the test bed: run them through bin/bench "
                            + "(or set -D" + PEER_NS_PROPERTY + " and -D" + PEER_ADDRESS_PROPERTY
                            + " and run this JVM in the other namespace of the pair)");
                }
                yield PeerEndpoint.inNamespace(ns, InetAddress.getByName(address), peerProvider);
            }
            default -> throw new IllegalArgumentException("unknown transport '" + transport + "' (lo or veth)");
        };
        try {
            connect();
        } catch (IOException | RuntimeException e) {
            peer.close();
            throw e;
        }
    }

    /** Opens the trial's connections to {@link #peer} with {@link #clientProvider}. */
    protected abstract void connect() throws IOException;

    /** Closes the trial's connections. */
    protected abstract void disconnect() throws IOException;

    /** One of the trial's connected client channels, whose transport the CPU record names; null if none. */
    protected Channel sampleChannel() {
        return null;
    }

    /** Operations done by one benchmark invocation (what the CPU time is divided by). */
    protected long opsPerInvocation() {
        return 1;
    }

    @Setup(Level.Iteration)
    public final void setUpIteration() throws IOException {
        invocations = 0;
        peerCpuStart = peer.cpuNanos();
        clientCpuStart = processCpuNanos();
    }

    @TearDown(Level.Iteration)
    public final void tearDownIteration(IterationParams iteration) throws IOException {
        long client = processCpuNanos();
        long peerCpu = peer.cpuNanos();
        if (iteration.getType() == IterationType.MEASUREMENT) {
            measuredOps += invocations * opsPerInvocation();
            measuredClientCpu += client - clientCpuStart;
            measuredPeerCpu += peerCpu - peerCpuStart;
        }
    }

    /** Closes the connections, stops the peer, writes the CPU record. */
    @TearDown(Level.Trial)
    public final void tearDownTrial(BenchmarkParams params) throws IOException {
        if (peer == null) {
            return; // set-up failed before the peer started: nothing to stop, nothing measured
        }
        String clientMode = clientMode();
        try {
            disconnect();
        } finally {
            peer.close();
        }
        if (peer.sharesProcess()) {
            measuredClientCpu -= measuredPeerCpu; // the process figure included the peer's thread
        }
        String file = System.getProperty(CPU_FILE_PROPERTY);
        if (file != null) {
            Files.writeString(Path.of(file), cpuRecord(params, clientMode) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        }
    }

    /**
     * What carried the client's connection at the end of the trial: "JDK" for the platform provider, else the
     * Tux mode and fallback reason ({@code KERNEL (NOT_IMPLEMENTED)}, {@code TUX}); "unknown" without a channel.
     */
    private String clientMode() {
        Channel ch = sampleChannel();
        if (ch == null || !ch.isOpen()) {
            return "unknown";
        }
        if (Providers.clientProviderName(provider).equals("jdk")) {
            return "JDK";
        }
        Object mode = io.tux.spi.Tux.mode(ch);
        Object reason = io.tux.spi.Tux.fallbackReason(ch);
        if (mode == null) {
            return "not a Tux channel: " + ch.getClass().getName();
        }
        return reason == null ? mode.toString() : mode + " (" + reason + ")";
    }

    private String cpuRecord(BenchmarkParams params, String clientMode) {
        StringBuilder p = new StringBuilder();
        for (String key : params.getParamsKeys()) {
            if (!p.isEmpty()) {
                p.append(',');
            }
            p.append('"').append(key).append("\":\"").append(params.getParam(key)).append('"');
        }
        return String.format(Locale.ROOT,
                "{\"benchmark\":\"%s\",\"mode\":\"%s\",\"params\":{%s},\"ops\":%d,\"clientCpuNs\":%d,"
                        + "\"peerCpuNs\":%d,\"peerInProcess\":%b,\"clientMode\":\"%s\"}",
                params.getBenchmark(), params.getMode().shortLabel(), p, measuredOps, measuredClientCpu,
                measuredPeerCpu, peer.sharesProcess(), clientMode.replace("\\", "/").replace("\"", "'"));
    }

    /** CPU time of this whole JVM so far, nanoseconds. */
    static long processCpuNanos() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getProcessCpuTime();
    }
}
