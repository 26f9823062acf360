package io.tux.xdp.link;

import io.tux.xdp.support.ChildJvm;
import io.tux.xdp.support.FixedRoutes;
import io.tux.xdp.support.Net;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH: round trip of one 64-byte Tux packet over raw AF_XDP links between two network namespaces, both sides
 * busy-polling their rings. This JVM holds one veth end (root namespace); the other end is in a fresh namespace
 * where a child JVM ({@link RawLinkEcho}) sends every packet straight back. One benchmark call = send, flush,
 * poll until the reply is back. Needs root; run through {@link RawLinkBenchmarkMeasurement} (opt-in) or with the JMH
 * runner on the test class path. {@code -Dio.tux.xdp.mode=generic} (passed to both JVMs) for generic XDP.
 */
@State(Scope.Benchmark)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class RawLinkBenchmark {

    private Net.Veth veth;
    private ChildJvm echo;
    private AfXdpLink link;
    private int route;
    private final MemorySegment packet = MemorySegment.ofArray(Packets.packet(1, 1, 64));
    private final long[] replies = new long[1];
    private final io.tux.core.link.PacketSink sink = (r, seg, off, len) -> replies[0]++;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String prefix = "10.78." + (ProcessHandle.current().pid() % 200 + 1);
        veth = Net.Veth.toNamespace(prefix);
        byte[] macA = veth.mac(veth.a());
        byte[] macB = veth.mac(veth.b());
        HexFormat hex = HexFormat.ofDelimiter(":");
        String mode = System.getProperty("io.tux.xdp.mode", "auto");
        echo = ChildJvm.startTuned(veth.ns(), List.of("-Xmx256m", "-Dio.tux.xdp.mode=" + mode), RawLinkEcho.class,
                veth.b(), hex.formatHex(macB), hex.formatHex(macA), prefix + ".2", "7002", prefix + ".1", "7001");
        String ready = echo.awaitAnyLine(60, "READY", "Exception");
        link = AfXdpLink.open(veth.a(), 0, FixedRoutes.options(veth.a(), macA, macB));
        route = link.openRoute(new InetSocketAddress(prefix + ".1", 7001), new InetSocketAddress(prefix + ".2", 7002));
        System.out.println("# raw link: this side " + link.socket().mode() + ", echo side " + ready);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (link != null) {
            link.close();
        }
        if (echo != null) {
            echo.tell("exit");
            echo.close();
        }
        if (veth != null) {
            veth.close();
        }
    }

    @Benchmark
    public long roundTrip64() {
        long want = replies[0] + 1;
        while (!link.send(route, packet, 0, 64)) {
            link.flush();
        }
        link.flush();
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (replies[0] < want) {
            link.poll(sink, 64);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no reply within 1 s");
            }
        }
        return replies[0];
    }
}
