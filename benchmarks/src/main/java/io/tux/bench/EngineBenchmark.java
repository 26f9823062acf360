package io.tux.bench;

import io.tux.core.engine.Connection;
import io.tux.core.engine.ConnectionState;
import io.tux.core.engine.Engine;
import io.tux.core.engine.EngineConfig;
import io.tux.core.engine.Mode;
import io.tux.core.engine.NanoClock;
import io.tux.core.link.MemoryLink;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Tux engine alone, on one core: two engines over an in-memory link, both network loops and both
 * applications driven by the benchmark thread. Each invocation sends a batch of messages from one connection
 * to the other and reads them all, so the score is messages per second per core for the whole path (sender
 * application, both network loops, receiver application), packets and acknowledgments included.
 */
@State(Scope.Thread)
@BenchmarkMode(org.openjdk.jmh.annotations.Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class EngineBenchmark {
    static final int BATCH = 256;

    @Param({"64", "1024"})
    public int size;

    @Param({"STREAM", "MESSAGE"})
    public Mode mode;

    private Engine a;
    private Engine b;
    private Connection client;
    private Connection server;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        MemoryLink[] links = MemoryLink.pair(1472, 1024);
        a = new Engine(links[0], EngineConfig.DEFAULT, NanoClock.SYSTEM, 1);
        b = new Engine(links[1], EngineConfig.DEFAULT, NanoClock.SYSTEM, 2);
        InetSocketAddress x = new InetSocketAddress("10.9.0.1", 40000);
        InetSocketAddress y = new InetSocketAddress("10.9.0.2", 5000);
        client = a.open(links[0].openRoute(x, y), mode, 0, null);
        server = b.open(links[1].openRoute(y, x), mode, 0, null);
        for (int i = 0; i < 1_000_000 && (client.state() == ConnectionState.HANDSHAKING
                || server.state() == ConnectionState.HANDSHAKING); i++) {
            a.doWork();
            b.doWork();
        }
        if (client.state() != ConnectionState.ESTABLISHED || server.state() != ConnectionState.ESTABLISHED) {
            throw new IllegalStateException("handshake failed: " + client + " " + server);
        }
        out = ByteBuffer.allocateDirect(size);
        out.position(out.limit());
        in = ByteBuffer.allocateDirect(Math.max(size, 64 * 1024));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long transfer() throws IOException {
        long expected = (long) BATCH * size;
        long received = 0;
        int sent = 0;
        while (received < expected) {
            while (sent < BATCH) {
                if (!out.hasRemaining()) out.clear();
                if (mode == Mode.STREAM) {
                    client.write(out);
                    if (out.hasRemaining()) break; // send buffer full: the rest goes next round
                } else if (!client.writeMessage(out)) {
                    break;
                } else {
                    out.position(out.limit());
                }
                sent++;
            }
            a.doWork();
            b.doWork();
            while (true) {
                in.clear();
                int n = mode == Mode.STREAM ? server.read(in) : server.readMessage(in);
                if (n <= 0) break;
                received += n;
            }
        }
        return received;
    }
}
