package io.tux.bench.net;

import java.io.EOFException;
import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Request/response like a key-value GET: {@code connections} non-blocking connections on one selector, each
 * sending {@code depth} pipelined requests of {@value Wire#KV_REQUEST} bytes and reading {@code depth} responses
 * of {@value Wire#KV_RESPONSE} bytes. One invocation is one such round on every connection; the secondary score
 * {@code gets} counts responses (GETs per second).
 *
 * <p>Threading: one benchmark thread per trial (see {@link NetBenchmark}); the selector is used by it alone.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "--enable-native-access=ALL-UNNAMED", "--add-exports",
    "java.base/sun.nio.ch=ALL-UNNAMED"})
public class KvBenchmark extends NetBenchmark {
    /** No response byte for this long in a round: the peer is stuck or gone. */
    static final long STALL_MILLIS = 10_000;

    @Param({"1", "16", "64"})
    public int connections;

    @Param({"1", "16"})
    public int depth;

    /** GETs answered, reported by JMH as a rate (secondary result {@code gets}). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Gets {
        public long gets;

        @Setup(Level.Iteration)
        public void reset() {
            gets = 0;
        }
    }

    /** Per-connection progress of a round; touched by the benchmark thread only. */
    private static final class Conn {
        final SocketChannel channel;
        long owed;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private Selector selector;
    private Conn[] conns;
    private ByteBuffer requests;
    private ByteBuffer scratch;
    /** Response bytes still expected in the current round; benchmark thread only. */
    private long remaining;

    @Override
    protected void connect() throws IOException {
        selector = clientProvider.openSelector();
        conns = new Conn[connections];
        for (int i = 0; i < connections; i++) {
            SocketChannel ch = clientProvider.openSocketChannel();
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            ch.connect(peer.kv());
            ch.configureBlocking(false);
            conns[i] = new Conn(ch);
            ch.register(selector, SelectionKey.OP_READ, conns[i]);
        }
        requests = ByteBuffer.allocateDirect(Wire.KV_REQUEST * depth);
        for (int i = 0; i < requests.capacity(); i++) {
            requests.put(i, (byte) ('a' + i % Wire.KV_REQUEST));
        }
        scratch = ByteBuffer.allocateDirect(64 * 1024);
    }

    @Override
    protected java.nio.channels.Channel sampleChannel() {
        return conns == null || conns.length == 0 ? null : conns[0].channel;
    }

    @Override
    protected void disconnect() throws IOException {
        if (conns != null) {
            for (Conn c : conns) {
                if (c != null) {
                    c.channel.close();
                }
            }
        }
        if (selector != null) {
            selector.close();
        }
    }

    @Override
    protected long opsPerInvocation() {
        return (long) connections * depth;
    }

    /** One round: {@code depth} GETs on every connection, all answered. Returns the response bytes read. */
    @Benchmark
    public long get(Gets counter) throws IOException {
        invocations++;
        long perConnection = (long) depth * Wire.KV_RESPONSE;
        for (Conn c : conns) {
            requests.clear();
            while (requests.hasRemaining()) {
                c.channel.write(requests); // at most 1 KiB into an empty send buffer
            }
            c.owed = perConnection;
        }
        remaining = perConnection * connections;
        long stalledSince = 0;
        while (remaining > 0) {
            long before = remaining;
            selector.select(this::drain, STALL_MILLIS);
            if (remaining < before) {
                stalledSince = 0;
            } else if (stalledSince == 0) {
                stalledSince = System.nanoTime();
            } else if (System.nanoTime() - stalledSince > TimeUnit.MILLISECONDS.toNanos(STALL_MILLIS)) {
                throw new IOException("no response for " + STALL_MILLIS + " ms, " + remaining + " bytes owed");
            }
        }
        counter.gets += (long) connections * depth;
        return perConnection * connections;
    }

    private void drain(SelectionKey key) {
        Conn c = (Conn) key.attachment();
        try {
            while (c.owed > 0) {
                scratch.clear();
                int n = c.channel.read(scratch);
                if (n < 0) {
                    throw new EOFException("the kv peer closed a connection");
                }
                if (n == 0) {
                    return;
                }
                c.owed -= n;
                remaining -= n;
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
